/** Every inventory action has its own OpenAPI entry whose body schema is the one the action checks. */
import { describe, expect, it } from "vitest";
import inventory from "../../plugins/inventory/server";
import { api } from "./helpers";

/** The schema without its words: what validates is the same. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node && typeof node === "object")
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k]) => k !== "description")
        .map(([k, v]) => [k, shape(v)]),
    );
  return node;
}

describe("OpenAPI: inventory actions", () => {
  it("documents each action with an operationId, its body schema and the problem answers", async () => {
    const doc = (await api().get("/openapi.json")).body;
    const actions = Object.entries(inventory.actions ?? {});
    expect(actions.length).toBeGreaterThanOrEqual(5);
    for (const [name, def] of actions) {
      const op = doc.paths[`/api/actions/inventory/${name}`]?.post;
      expect(op, name).toBeDefined();
      expect(op.operationId, name).toMatch(/^inventory[A-Z]\w+$/);
      expect(shape(op.requestBody.content["application/json"].schema), name).toEqual(shape(def.input));
      for (const status of ["200", "403", "409", "422"])
        expect(op.responses[status], `${name} ${status}`).toBeDefined();
    }
  });
});
