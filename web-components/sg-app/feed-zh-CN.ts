import { str } from "@lit/localize";

/** zh-CN messages of <sg-feed-settings> (ids `app.feed.*`). */
export const zhCN = {
  "app.feed.done": "我已保存",
  "app.feed.intro":
    "您的任务和日程的私有订阅地址，可在 Outlook、Google 日历或苹果日历中订阅。它只显示您现在有权查看的内容。",
  "app.feed.keepPrivate": "任何拿到此地址的人都能看到您的日历，请妥善保管。",
  "app.feed.off": "未开启",
  "app.feed.onSince": str`自 ${0} 起已开启`,
  "app.feed.renew": "生成新地址",
  "app.feed.renewLine": "当前地址将立即失效：已订阅的日历需要改为订阅新地址。",
  "app.feed.renewTitle": "生成新的订阅地址？",
  "app.feed.revoke": "撤销订阅",
  "app.feed.revokeLine": "已订阅的日历将不再收到您的任务和日程。",
  "app.feed.revokeTitle": "撤销日历订阅？",
  "app.feed.revoked": "订阅已撤销",
  "app.feed.title": "日历订阅",
  "app.feed.turnOn": "开启订阅",
  "app.feed.urlOnce": "您的订阅地址（仅显示这一次）：",
};
