/**
 * The OpenAPI document the Worker serves at /api/openapi.json passes Redocly's recommended rules with
 * no problem at all, warnings included: a warning there (an operation without an operationId, a
 * missing 4xx) is what leaves generated clients with made-up method names or untyped errors.
 * Redocly is a Node library, so this runs in Node on the module that builds what the Worker serves.
 */
import { createConfig, lintFromString, type NormalizedProblem } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../worker/http/openapi-document";

function describeProblem(p: NormalizedProblem): string {
  const where = p.location
    .map((l) => l.pointer)
    .filter(Boolean)
    .join(", ");
  return `${p.severity} ${p.ruleId}: ${p.message}${where ? ` at ${where}` : ""}`;
}

describe("OpenAPI document lint", () => {
  it("has no error or warning under Redocly's recommended rules", async () => {
    const source = JSON.stringify(openApiDocument());
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({ source, absoluteRef: "openapi.json", config });
    expect(problems.map(describeProblem)).toEqual([]);
  });
});
