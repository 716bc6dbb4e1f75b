// zh-CN messages of <sg-grid> (merged by i18n/locales/zh-CN.ts).
import { str } from "@lit/localize";

export const zhCN = {
  "grid.search": "搜索",
  "grid.filter": "筛选",
  "grid.addRow": "添加行",
  "grid.deleteRows": "删除行",
  "grid.loading": "加载中…",
  "grid.rows": str`${0} 行`,
  "grid.rowAdded": "已添加一行",
  "grid.noAccess": "（无权查看）",
  "grid.readOnly": "只读",
  "grid.confirmDelete": str`删除 ${0} 条记录?`,
  "grid.confirmDeleteDetail": "这些记录的值和关联将从表中移除;管理员可以从审计日志中恢复。",
  "grid.deleteCount": str`删除 ${0} 条记录`,
  "grid.cancel": "取消",
  "grid.newRecord": "新建记录",
  "grid.rowsDeleted": str`已删除 ${0} 行`,
  "grid.conflict": str`已被他人修改;当前值:${0}(你的值:${1})`,
  "grid.conflictNotice": "其他人修改了这些记录,已显示其当前值。",
  "grid.selectAll": "选择整个表格",
  "grid.pasteInvalid": str`未粘贴:${0} 个单元格无效(第 ${1} 行,${2}:${3})`,
};
