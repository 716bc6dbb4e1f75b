import { str } from "@lit/localize";

/** zh-CN messages of <sg-notifications> and <sg-notification-list> (ids `notifications.*`). */
export const zhCN = {
  "notifications.title": "通知",
  "notifications.bellUnread": str`通知，${0} 条未读`,
  "notifications.unread": "未读：",
  "notifications.markAllRead": "全部标为已读",
  "notifications.loadMore": "加载更多",
  "notifications.empty": "暂无通知。",
};
