/** zh-CN of the messages shared by several elements (ids `common.*`). */
export const zhCN = {
  "common.loading": "加载中…",
  "common.retry": "重试",
  "common.cancel": "取消",
  "common.save": "保存",
  "common.close": "关闭",
  "common.yes": "是",
  "common.no": "否",
};
