import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { api } from "./helpers";
import { admin } from "../../worker/http/admin";
import { auth, authOpen } from "../../worker/http/auth";
import { directory } from "../../worker/http/directory";
import { embed } from "../../worker/http/embed";
import { meta } from "../../worker/http/meta";
import { oidc } from "../../worker/http/oidc";
import { records } from "../../worker/http/records";
import { views } from "../../worker/http/views";

/** Where worker/index.ts mounts each router. */
const MOUNTED: [string, Hono<any>][] = [
  ["/api/auth", authOpen], ["/api/auth", auth], ["/api/auth/oidc", oidc], ["/api/meta/views", views], ["/api/meta", meta],
  ["/api/tables", records], ["/api/admin", admin], ["/api/embed", embed], ["/api/users", directory],
];

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("OpenAPI document", () => {
  it("is served without a token and every $ref resolves to a component", async () => {
    const r = await api().get("/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    const all = refs(r.body);
    expect(all.length).toBeGreaterThan(5);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(r.body.components.schemas[ref.split("/").pop()!], ref).toBeDefined();
    }
  });

  it("describes the records routes with every method they answer", async () => {
    const r = await api().get("/openapi.json");
    expect(Object.keys(r.body.paths["/api/tables/{table}/records"]).filter((k) => k !== "parameters").sort()).toEqual(["delete", "get", "patch", "post"]);
    expect(r.body.components.schemas.Field.properties.type).toEqual({ $ref: "#/components/schemas/fieldType" });
  });

  it("documents every route the API routers answer, with its method", async () => {
    const r = await api().get("/openapi.json");
    const missing: string[] = [];
    for (const [base, router] of MOUNTED) {
      for (const route of router.routes) {
        // Middleware and catch-alls answer every method; they are not operations.
        if (route.method === "ALL") continue;
        const path = `${base}${route.path === "/" ? "" : route.path}`.replace(/:(\w+)/g, "{$1}");
        if (!r.body.paths[path]?.[route.method.toLowerCase()]) missing.push(`${route.method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("marks the embed routes as taking embed tokens only", async () => {
    const r = await api().get("/openapi.json");
    expect(r.body.components.securitySchemes.embed).toMatchObject({ type: "http", scheme: "bearer" });
    for (const op of [r.body.paths["/api/embed/view"].get, r.body.paths["/api/embed/records"].get, r.body.paths["/api/embed/records"].patch, r.body.paths["/api/embed/users"].get]) {
      expect(op.security).toEqual([{ embed: [] }]);
    }
  });
});
