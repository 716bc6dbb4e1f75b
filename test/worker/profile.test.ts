/**
 * The signed-in user's own profile (PATCH /api/auth/me): their time zone and language. A time zone
 * nobody chose yet is marked, so the app can take the browser's on first sign-in; a chosen one stays.
 */
import { describe, expect, it } from "vitest";
import { api, testEnv, userWithToken } from "./helpers";

describe("PATCH /api/auth/me", () => {
  it("sets the caller's own time zone and language, marks the time zone chosen, and audits it", async () => {
    const u = await userWithToken([]);
    const me = api(u.token);
    const before = await me.get("/auth/me");
    expect(before.body.user.timeZone).toBe("UTC");
    expect(before.body.timeZoneChosen).toBe(false);

    const res = await me.patch("/auth/me", { timeZone: "Asia/Shanghai", locale: "zh-CN" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.user.id, timeZone: "Asia/Shanghai", locale: "zh-CN" });
    const after = await me.get("/auth/me");
    expect(after.body.user.timeZone).toBe("Asia/Shanghai");
    expect(after.body.timeZoneChosen).toBe(true);
    const audit = await testEnv.DB.prepare(
      "SELECT changes FROM sg_audit WHERE action = 'user.profile' AND user_id = ?1 ORDER BY id DESC",
    )
      .bind(u.user.id)
      .first<{ changes: string }>();
    expect(JSON.parse(audit!.changes)).toMatchObject({
      target: u.user.id,
      before: { timeZone: "UTC" },
      after: { timeZone: "Asia/Shanghai" },
    });
  });

  it("refuses an unknown time zone, a role or another field with 422 naming it, changing nothing", async () => {
    const u = await userWithToken([]);
    const me = api(u.token);
    for (const [body, field, code] of [
      [{ timeZone: "Mars/Olympus" }, "timeZone", "unknown_time_zone"],
      [{ locale: "fr" }, "locale", undefined],
      [{ roles: ["admin"] }, "roles", undefined],
    ] as const) {
      const res = await me.patch("/auth/me", body);
      expect(res.status, res.text).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = res.body.errors.find((e: { field: string }) => e.field === field);
      expect(problem, res.text).toBeTruthy();
      if (code) expect(problem.code).toBe(code);
    }
    const after = await me.get("/auth/me");
    expect(after.body.user).toMatchObject({ timeZone: "UTC", locale: "en", roles: [] });
    expect(after.body.timeZoneChosen).toBe(false);
  });

  it("needs a signed-in user", async () => {
    expect((await api().patch("/auth/me", { timeZone: "UTC" })).status).toBe(401);
  });
});
