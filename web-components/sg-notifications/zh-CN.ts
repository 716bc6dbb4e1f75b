import { str } from "@lit/localize";

/** zh-CN messages of <sg-notifications> and <sg-notification-list> (ids `notifications.*`). */
export const zhCN = {
  "notifications.title": "通知",
  "notifications.bellUnread": str`通知，${0} 条未读`,
  "notifications.unread": "未读：",
  "notifications.markAllRead": "全部标为已读",
  "notifications.loadMore": "加载更多",
  "notifications.empty": "暂无通知。",
  "notifications.snoozeGroup": "稍后提醒或忽略",
  "notifications.remindMe": "稍后提醒：",
  "notifications.snooze10m": "10 分钟后",
  "notifications.snooze1h": "1 小时后",
  "notifications.snoozeTomorrow": "明天 09:00",
  "notifications.dismiss": "忽略",
  "notifications.snoozedUntil": str`已推迟到 ${0}`,
  "notifications.dismissed": "已忽略",
};
