// zh-CN messages of this element (merged by i18n/locales/zh-CN.ts). Placeholder until the element lands.
export const zhCN = {};
