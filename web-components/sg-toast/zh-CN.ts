// zh-CN messages of <sg-toast> (merged by i18n/locales/zh-CN.ts).
export const zhCN = {
  "toast.dismiss": "关闭",
};
