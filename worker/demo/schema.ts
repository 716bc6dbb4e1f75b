/**
 * The demo workspace's tables, as an admin would send them to POST /api/meta/tables. Created in this
 * order (links point at tables created before them). Labels carry zh-CN and en; the module names
 * follow the scope document (客户管理, 销售跟踪, 任务和日程管理).
 */
import type { Choice, FieldInput, TableInput } from "../../schemas/types";

type L = { en: string; "zh-CN": string };
const l = (en: string, zh: string): L => ({ en, "zh-CN": zh });

function choice(name: string, color: string, en: string, zh: string): Choice {
  return { name, color, labels: l(en, zh) };
}

function field(name: string, type: FieldInput["type"], labels: L, extra: Partial<FieldInput> = {}): FieldInput {
  return { name, type, label: labels.en, labels, ...extra };
}

const customers: TableInput = {
  name: "customers",
  label: "Customers",
  labels: l("Customers", "客户"),
  description: "Companies and individuals we sell to.",
  primaryField: "name",
  fields: [
    field("name", "text", l("Name", "客户名称"), { required: true, options: { maxLength: 200 } }),
    field("kind", "single_select", l("Type", "客户类型"), {
      options: { choices: [choice("company", "#4c6ef5", "Company", "企业"), choice("individual", "#12b886", "Individual", "个人")] },
    }),
    field("category", "single_select", l("Category", "客户分类"), {
      options: {
        choices: [
          choice("key_account", "#e03131", "Key account", "重点客户"),
          choice("standard", "#1971c2", "Standard", "普通客户"),
          choice("prospect", "#f08c00", "Prospect", "潜在客户"),
          choice("distributor", "#7048e8", "Distributor", "经销商"),
          choice("partner", "#2f9e44", "Partner", "合作伙伴"),
        ],
      },
    }),
    field("industry", "single_select", l("Industry", "所属行业"), {
      options: {
        choices: [
          choice("manufacturing", "#495057", "Manufacturing", "制造业"),
          choice("retail", "#f76707", "Retail", "零售"),
          choice("it", "#1c7ed6", "IT & software", "信息技术"),
          choice("finance", "#2b8a3e", "Finance", "金融"),
          choice("healthcare", "#c2255c", "Healthcare", "医疗健康"),
          choice("education", "#5f3dc4", "Education", "教育"),
          choice("logistics", "#0c8599", "Logistics", "物流"),
          choice("construction", "#a61e4d", "Construction", "建筑"),
          choice("energy", "#e67700", "Energy", "能源"),
          choice("food", "#66a80f", "Food & beverage", "食品饮料"),
        ],
      },
    }),
    field("source", "single_select", l("Source", "客户来源"), {
      options: {
        choices: [
          choice("referral", "#2f9e44", "Referral", "客户推荐"),
          choice("website", "#1971c2", "Website", "官网"),
          choice("trade_show", "#f08c00", "Trade show", "展会"),
          choice("cold_call", "#868e96", "Cold call", "电话开发"),
          choice("advertising", "#e64980", "Advertising", "广告"),
          choice("social_media", "#15aabf", "Social media", "社交媒体"),
          choice("partner", "#7950f2", "Partner", "合作伙伴"),
        ],
      },
    }),
    field("tags", "multi_select", l("Tags", "标签"), {
      options: {
        choices: [
          choice("vip", "#fab005", "VIP", "VIP"),
          choice("repeat_buyer", "#40c057", "Repeat buyer", "复购客户"),
          choice("price_sensitive", "#fa5252", "Price sensitive", "价格敏感"),
          choice("overseas", "#228be6", "Overseas", "海外"),
          choice("government", "#7950f2", "Government", "政府机构"),
          choice("strategic", "#e8590c", "Strategic", "战略合作"),
        ],
      },
    }),
    field("grade", "single_select", l("Grade", "客户等级"), {
      options: {
        choices: [
          choice("A", "#e03131", "A", "A 级"),
          choice("B", "#f08c00", "B", "B 级"),
          choice("C", "#1971c2", "C", "C 级"),
          choice("D", "#868e96", "D", "D 级"),
        ],
      },
    }),
    field("owner", "user", l("Owner", "负责人"), { indexed: true }),
    field("phone", "phone", l("Phone", "电话")),
    field("email", "email", l("Email", "邮箱")),
    field("website", "url", l("Website", "网站")),
    field("city", "text", l("City", "城市"), { options: { maxLength: 100 } }),
    field("annual_revenue", "currency", l("Annual revenue", "年营业额"), { options: { currency: "CNY" } }),
  ],
};

const contacts: TableInput = {
  name: "contacts",
  label: "Contacts",
  labels: l("Contacts", "联系人"),
  description: "People at our customers.",
  primaryField: "name",
  fields: [
    field("name", "text", l("Name", "姓名"), { required: true, options: { maxLength: 200 } }),
    field("customer", "link", l("Customer", "所属客户"), { options: { table: "customers", multiple: false, inverseName: "contacts" } }),
    field("title", "text", l("Job title", "职位"), { options: { maxLength: 200 } }),
    field("phone", "phone", l("Phone", "电话")),
    field("email", "email", l("Email", "邮箱")),
  ],
};

const deals: TableInput = {
  name: "deals",
  label: "Deals",
  labels: l("Deals", "销售机会"),
  description: "Opportunities moving through the sales stages.",
  primaryField: "name",
  fields: [
    field("name", "text", l("Name", "机会名称"), { required: true, options: { maxLength: 200 } }),
    field("customer", "link", l("Customer", "客户"), { options: { table: "customers", multiple: false, inverseName: "deals" } }),
    field("amount", "currency", l("Amount", "金额"), { indexed: true, options: { currency: "CNY" } }),
    field("stage", "single_select", l("Stage", "阶段"), {
      options: {
        choices: [
          choice("first_contact", "#868e96", "First contact", "初步接触"),
          choice("needs_discussion", "#1971c2", "Needs discussion", "需求沟通"),
          choice("quote", "#f08c00", "Quote", "报价"),
          choice("negotiation", "#7048e8", "Negotiation", "谈判"),
          choice("won", "#2f9e44", "Won", "赢单"),
          choice("lost", "#e03131", "Lost", "输单"),
        ],
      },
    }),
    field("probability", "percent", l("Probability", "赢单概率")),
    field("expected_close", "date", l("Expected close", "预计成交日期"), { indexed: true }),
    field("owner", "user", l("Owner", "负责人"), { indexed: true }),
    field("next_step", "text", l("Next step", "下一步"), { options: { maxLength: 500 } }),
    field("loss_reason", "long_text", l("Loss reason", "输单原因")),
  ],
};

const tasks: TableInput = {
  name: "tasks",
  label: "Tasks",
  labels: l("Tasks", "任务"),
  description: "Follow-ups, calls and visits.",
  primaryField: "title",
  fields: [
    field("title", "text", l("Title", "标题"), { required: true, options: { maxLength: 300 } }),
    field("due", "datetime", l("Due", "截止时间"), { indexed: true }),
    field("done", "checkbox", l("Done", "已完成")),
    field("assignee", "user", l("Assignee", "执行人"), { indexed: true }),
    field("deal", "link", l("Deal", "销售机会"), { options: { table: "deals", multiple: false, inverseName: "tasks" } }),
  ],
};

/** In creation order. */
export const DEMO_TABLES: readonly TableInput[] = [customers, contacts, deals, tasks];
