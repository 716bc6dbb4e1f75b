import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import eventsSchema from "../../schemas/calendar-events.schema.json";
import personalFeedSchema from "../../schemas/personal-feed.schema.json";
import webhookSchema from "../../schemas/webhook.schema.json";
import attemptSchema from "../../schemas/webhook-attempt.schema.json";
import pingSchema from "../../schemas/webhook-ping.schema.json";
import { api } from "./helpers";
import { actions } from "../../worker/http/actions";
import { admin } from "../../worker/http/admin";
import { auth, authOpen } from "../../worker/http/auth";
import { config } from "../../worker/http/config";
import { directory } from "../../worker/http/directory";
import { embed } from "../../worker/http/embed";
import { feeds, feedsOpen } from "../../worker/http/feeds";
import { health } from "../../worker/http/health";
import { meta } from "../../worker/http/meta";
import { notifications } from "../../worker/http/notifications";
import { oidc } from "../../worker/http/oidc";
import { openapi } from "../../worker/http/openapi";
import { openApiDocument } from "../../worker/http/openapi-document";
import { records } from "../../worker/http/records";
import { views } from "../../worker/http/views";

/** Where worker/index.ts mounts each router (not /api/dev: it answers 404 outside local development). */
const MOUNTED: [string, Hono<any>][] = [
  ["/api/health", health],
  ["/api/openapi.json", openapi],
  ["/api/config", config],
  ["/api/actions", actions],
  ["/api/auth", authOpen],
  ["/api/auth", auth],
  ["/api/auth/oidc", oidc],
  ["/api/meta/views", views],
  ["/api/meta", meta],
  ["/api/tables", records],
  ["/api/admin", admin],
  ["/api/embed", embed],
  ["/api/users", directory],
  ["/api/notifications", notifications],
  ["/api/feeds", feedsOpen],
  ["/api/feeds", feeds],
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
    // What the Node lint test (test/scripts/openapi-lint.test.ts) checks is what is served.
    expect(r.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    const all = refs(r.body);
    expect(all.length).toBeGreaterThan(5);
    for (const ref of all) {
      const [, kind, name] = ref.match(/^#\/components\/(schemas|responses|headers)\/([\w-]+)$/) ?? [];
      expect(kind, ref).toBeDefined();
      expect(r.body.components[kind!][name!], ref).toBeDefined();
    }
  });

  it("gives every operation a unique camelCase operationId, a 4xx problem+json answer and a 429 with Retry-After", async () => {
    const r = await api().get("/openapi.json");
    const { responses, schemas } = r.body.components;
    // One shared Problem schema with the members every problem carries, errors naming each field.
    expect(schemas.Problem.required).toEqual(
      expect.arrayContaining(["type", "title", "status", "code", "detail", "errors"]),
    );
    expect(schemas.Problem.properties.errors.items).toEqual({ $ref: "#/components/schemas/FieldError" });
    expect(Object.keys(schemas.FieldError.properties).sort()).toEqual(["code", "field", "message", "params"]);
    const problemResponse = (ref: string | undefined) => {
      const name = ref?.match(/^#\/components\/responses\/(\w+)$/)?.[1];
      return name
        ? responses[name]?.content?.["application/problem+json"]?.schema?.$ref === "#/components/schemas/Problem"
        : false;
    };
    const ids: string[] = [];
    const bad: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(r.body.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (method === "parameters") continue;
        const where = `${method.toUpperCase()} ${path}`;
        ids.push(op.operationId);
        if (!/^[a-z][a-zA-Z0-9]*$/.test(op.operationId ?? "")) bad.push(`${where}: operationId ${op.operationId}`);
        const clientErrors = Object.entries<any>(op.responses).filter(([status]) => /^4\d\d$/.test(status));
        if (clientErrors.length === 0) bad.push(`${where}: no 4xx`);
        for (const [status, res] of clientErrors)
          if (!problemResponse(res.$ref)) bad.push(`${where}: ${status} is not the shared problem response`);
        const limited = op.responses["429"]?.$ref?.match(/\/(\w+)$/)?.[1];
        if (!limited || !responses[limited]?.headers?.["Retry-After"]) bad.push(`${where}: no 429 with Retry-After`);
      }
    }
    expect(bad).toEqual([]);
    expect(ids.length).toBeGreaterThan(70);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // Stable names a generated client keeps: a few by hand.
    expect(r.body.paths["/api/tables/{table}/records"].get.operationId).toBe("listRecords");
    expect(r.body.paths["/api/tables/{table}/records"].post.operationId).toBe("createRecords");
    expect(r.body.paths["/api/tables/{table}/records/{id}/history"].get.operationId).toBe("getRecordHistory");
    expect(r.body.paths["/api/admin/users"].get.operationId).toBe("adminListUsers");
  });

  it("leaves the open routes without a token and describes each tag", async () => {
    const r = await api().get("/openapi.json");
    for (const [path, method] of [
      ["/api/health", "get"],
      ["/api/config", "get"],
      ["/api/openapi.json", "get"],
      ["/api/auth/login", "post"],
      ["/api/auth/refresh", "post"],
      ["/api/auth/oidc", "post"],
      ["/api/feeds/{file}", "get"],
    ] as const) {
      expect(r.body.paths[path][method].security, `${method} ${path}`).toEqual([]);
    }
    const used = new Set(
      Object.values<Record<string, any>>(r.body.paths).flatMap((item) =>
        Object.values<any>(item).flatMap((op) => op.tags ?? []),
      ),
    );
    expect([...used].sort()).toEqual(r.body.tags.map((t: { name: string }) => t.name).sort());
    for (const tag of r.body.tags) expect(tag.description, tag.name).toBeTruthy();
  });

  it("describes the records routes with every method they answer", async () => {
    const r = await api().get("/openapi.json");
    expect(
      Object.keys(r.body.paths["/api/tables/{table}/records"])
        .filter((k) => k !== "parameters")
        .sort(),
    ).toEqual(["delete", "get", "patch", "post"]);
    expect(r.body.components.schemas.Field.properties.type).toEqual({ $ref: "#/components/schemas/fieldType" });
  });

  it("documents every route the API routers answer, with its method", async () => {
    const r = await api().get("/openapi.json");
    const missing: string[] = [];
    for (const [base, router] of MOUNTED) {
      for (const route of router.routes) {
        // Middleware and catch-alls answer every method; they are not operations.
        if (route.method === "ALL") continue;
        const path = `${base}${route.path === "/" ? "" : route.path}`.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
        if (!r.body.paths[path]?.[route.method.toLowerCase()]) missing.push(`${route.method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("describes calendar events, the personal feed and the webhook by their schemas in schemas/, not copies", async () => {
    const doc = JSON.parse(JSON.stringify(openApiDocument()));
    const reply = (path: string, method: string, status = 200) =>
      doc.paths[path][method].responses[status].content["application/json"].schema;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(reply("/api/meta/views/{id}/events", "get")).toEqual(ref("CalendarEvents"));
    expect(reply("/api/embed/events", "get")).toEqual(ref("CalendarEvents"));
    expect(reply("/api/feeds/personal", "get").properties.feed).toEqual(ref("PersonalFeed"));
    expect(reply("/api/feeds/personal", "post", 201).properties.feed).toEqual(ref("PersonalFeed"));
    expect(reply("/api/notifications/webhook", "get").properties.webhook.oneOf[0]).toEqual(ref("Webhook"));
    expect(reply("/api/notifications/webhook", "put", 201).properties.webhook).toEqual(ref("Webhook"));
    expect(reply("/api/notifications/webhook/rotate", "post").properties.webhook).toEqual(ref("Webhook"));
    expect(reply("/api/notifications/webhook/test", "post")).toEqual(ref("WebhookPing"));
    expect(reply("/api/notifications/webhook/deliveries", "get").properties.attempts.items).toEqual(
      ref("WebhookAttempt"),
    );
    for (const [name, schema] of Object.entries({
      CalendarEvents: eventsSchema,
      PersonalFeed: personalFeedSchema,
      Webhook: webhookSchema,
      WebhookAttempt: attemptSchema,
      WebhookPing: pingSchema,
    })) {
      const { required, properties } = schema as { required: string[]; properties: object };
      expect(doc.components.schemas[name], name).toMatchObject({ required });
      expect(Object.keys(doc.components.schemas[name].properties), name).toEqual(Object.keys(properties));
    }
  });

  it("marks the embed routes as taking embed tokens only", async () => {
    const r = await api().get("/openapi.json");
    expect(r.body.components.securitySchemes.embed).toMatchObject({ type: "http", scheme: "bearer" });
    for (const op of [
      r.body.paths["/api/embed/view"].get,
      r.body.paths["/api/embed/records"].get,
      r.body.paths["/api/embed/records"].patch,
      r.body.paths["/api/embed/users"].get,
    ]) {
      expect(op.security).toEqual([{ embed: [] }]);
    }
  });
});
