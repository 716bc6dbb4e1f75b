// zh-CN messages of <sg-kanban> (merged by i18n/locales/zh-CN.ts).
import { str } from "@lit/localize";

export const zhCN = {
  "kanban.apply": "应用",
  "kanban.cancelled": "已取消移动",
  "kanban.card": "卡片",
  "kanban.cards": str`${0} 张卡片`,
  "kanban.clear": "清除",
  "kanban.dismiss": "关闭",
  "kanban.empty": "没有卡片",
  "kanban.filter": "筛选",
  "kanban.help":
    "按空格键拿起卡片,用方向键选择列,再按空格键放下,按 Esc 取消;按 Ctrl 加方向键直接移动;按 M 打开移动菜单;按回车打开记录。",
  "kanban.idle": "请为看板指定视图和令牌。",
  "kanban.loadMore": str`加载更多(还有 ${0} 张)`,
  "kanban.moveMenu": "移动卡片",
  "kanban.moveTo": "移动到",
  "kanban.moved": str`已将 ${0} 移到 ${1}`,
  "kanban.noGroup": "此看板没有可用于分列的单选字段。",
  "kanban.noLanes": "无",
  "kanban.noValue": "未填写",
  "kanban.over": str`位于 ${0}`,
  "kanban.overLane": str`位于 ${0},${1}`,
  "kanban.pickedUp": str`已拿起 ${0}。用左右方向键选择列,按空格键放下,按 Esc 取消。`,
  "kanban.readOnly": "只读",
  "kanban.refresh": "刷新",
  "kanban.refused": str`移动被拒绝:${0}`,
  "kanban.search": "搜索",
  "kanban.swimlanes": "泳道",
};
