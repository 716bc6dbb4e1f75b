/**
 * Checks a reply against its JSON Schema in schemas/, the one shape the Worker types its replies with,
 * the OpenAPI document describes and the web components read.
 */
import { expect } from "vitest";
import { validate } from "../../worker/model/validate";

export function expectReplyShape(schema: object, reply: unknown, what: string, extra: object[] = []): void {
  expect(validate(schema, reply, "", extra), `${what}: ${JSON.stringify(reply)}`).toEqual([]);
}
