/**
 * The zh-CN messages of every element, merged from the dictionaries in each element's folder (ids are
 * prefixed by the element, so they cannot collide). Loaded by @lit/localize when zh-CN is first chosen.
 */
import { zhCN as admin } from "../../sg-admin/zh-CN";
import { zhCN as app } from "../../sg-app/zh-CN";
import { zhCN as webhook } from "../../sg-app/webhook-zh-CN";
import { zhCN as feed } from "../../sg-app/feed-zh-CN";
import { zhCN as filter } from "../../sg-filter/zh-CN";
import { zhCN as form } from "../../sg-form/zh-CN";
import { zhCN as grid } from "../../sg-grid/zh-CN";
import { zhCN as kanban } from "../../sg-kanban/zh-CN";
import { zhCN as calendar } from "../../sg-calendar/zh-CN";
import { zhCN as record } from "../../sg-record/zh-CN";
import { zhCN as notifications } from "../../sg-notifications/zh-CN";
import { zhCN as print } from "../../sg-print/zh-CN";
import { zhCN as quote } from "../../sg-quote/zh-CN";
import { zhCN as stock } from "../../sg-stock/zh-CN";
import { zhCN as toast } from "../../sg-toast/zh-CN";
import { zhCN as common } from "../common";

export const templates = {
  ...common,
  ...app,
  ...webhook,
  ...feed,
  ...form,
  ...record,
  ...grid,
  ...kanban,
  ...calendar,
  ...admin,
  ...filter,
  ...toast,
  ...notifications,
  ...quote,
  ...print,
  ...stock,
};
