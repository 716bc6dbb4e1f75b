import { str } from "@lit/localize";

/** zh-CN messages of <sg-record> (ids `record.*`). */
export const zhCN = {
  "record.changed": "修改了",
  "record.created": "创建了记录",
  "record.deleted": "删除了记录",
  "record.history": "修改历史",
  "record.loadError": "无法加载该记录。",
  "record.missing": "该记录不存在，或您无权查看。",
  "record.missingTitle": "记录不可用",
  "record.new": "新建记录",
  "record.noHistory": "暂无修改记录。",
  "record.restored": "恢复了记录",
  "record.restoredNote": "记录已恢复",
  "record.deletedTitle": "此记录已被删除",
  "record.restore": "恢复此记录",
  "record.system": "系统",
  "record.title": str`记录 ${0}`,
};
