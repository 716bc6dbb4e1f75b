/**
 * The demo workspace's users: one per role (two sales reps, so row rules have someone to tell apart).
 * Local development only: the passwords are fixed and printed by `npm start`, and the seed endpoint
 * that creates these accounts answers 404 unless DEV_SEED is "1".
 */
export type DemoRole = "admin" | "sales_manager" | "sales_rep" | "warehouse";

export interface DemoUser {
  email: string;
  password: string;
  role: DemoRole;
  name: string;
  locale: "zh-CN" | "en";
  timeZone: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: "wang.fang@demo.salesgrid.example",
    password: "Demo-admin-2026!",
    role: "admin",
    name: "王芳",
    locale: "zh-CN",
    timeZone: "Asia/Shanghai",
  },
  {
    email: "alice.chen@demo.salesgrid.example",
    password: "Demo-manager-2026!",
    role: "sales_manager",
    name: "Alice Chen",
    locale: "en",
    timeZone: "Asia/Shanghai",
  },
  {
    email: "li.lei@demo.salesgrid.example",
    password: "Demo-rep-2026!",
    role: "sales_rep",
    name: "李雷",
    locale: "zh-CN",
    timeZone: "Asia/Shanghai",
  },
  {
    email: "tom.brown@demo.salesgrid.example",
    password: "Demo-rep2-2026!",
    role: "sales_rep",
    name: "Tom Brown",
    locale: "en",
    timeZone: "Asia/Shanghai",
  },
  {
    email: "zhang.wei@demo.salesgrid.example",
    password: "Demo-warehouse-2026!",
    role: "warehouse",
    name: "张伟",
    locale: "zh-CN",
    timeZone: "Asia/Shanghai",
  },
];
