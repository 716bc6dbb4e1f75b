import { describe, expect, it } from "vitest";
import { api } from "./helpers";

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
});
