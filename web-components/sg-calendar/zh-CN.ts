// zh-CN messages of <sg-calendar> (merged by i18n/locales/zh-CN.ts).
import { str } from "@lit/localize";

export const zhCN = {
  "calendar.created": "已添加记录",
  "calendar.label": "日历",
  "calendar.more": str`另外 ${0} 个`,
  "calendar.moved": str`已移动 ${0}`,
  "calendar.newRecord": "新建记录",
  "calendar.noDate": "此日历没有你可读取的日期字段。",
  "calendar.notMoved": str`${0} 未移动`,
  "calendar.truncated": "事件太多,只显示前面一部分。请缩小日期范围或筛选条件。",
  "calendar.untitled": "(无标题)",
};
