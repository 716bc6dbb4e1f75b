/** Shared set-up of the plugin tests: an admin who installs the sales plugins through the API. */
import { expect } from "vitest";
import { api, userWithToken } from "./helpers";

export type Client = ReturnType<typeof api>;

export async function installSalesPlugins(): Promise<{ admin: Client; adminId: string }> {
  const a = await userWithToken(["admin"]);
  const admin = api(a.token);
  for (const name of ["customers", "pipeline"]) {
    const r = await admin.post(`/admin/plugins/${name}/install`);
    expect(r.status, r.text).toBe(200);
  }
  return { admin, adminId: a.user.id };
}

export async function signedIn(roles: string[]): Promise<{ client: Client; id: string }> {
  const u = await userWithToken(roles);
  return { client: api(u.token), id: u.user.id };
}

export const uniq = (s: string) => `${s} ${crypto.randomUUID().slice(0, 8)}`;
