import { str } from "@lit/localize";

/** zh-CN messages of <sg-form> and <sg-link-picker> (ids `form.*`). */
export const zhCN = {
  "form.clear": "清除",
  "form.conflict": "其他人刚刚修改了这条记录。各字段下方显示了对方的值；再次保存将保留您的修改。",
  "form.create": "创建",
  "form.created": "记录已创建",
  "form.currentValue": "当前值：",
  "form.errMoney": str`请输入最多 ${0} 位小数的金额`,
  "form.errNetwork": "保存失败，请检查网络连接后重试。",
  "form.errNumber": "请输入数字",
  "form.errPercent": "请输入最多 2 位小数的百分比",
  "form.fixFields": "部分字段需要修改",
  "form.forbidden": str`您无权执行此操作：${0}`,
  "form.noMatches": "没有匹配的记录",
  "form.nothingChanged": "没有需要保存的修改",
  "form.ratingOf": str`${0} / ${1}`,
  "form.remove": "移除",
  "form.saved": "修改已保存",
  "form.saving": "正在保存…",
  "form.searchLink": "搜索并添加…",
};
