import { Validator } from "@cfworker/json-schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIELD_TYPES } from "./field-types";
import { compileRecordValidator } from "./schema-compiler";
import type { FieldMeta, FieldType } from "./types";

const field = (type: FieldType, options: FieldMeta["options"] = {}): FieldMeta => ({
  id: "fld_aaaaaaaaaaaa",
  tableId: "tbl_aaaaaaaaaaaa",
  name: "f",
  label: "f",
  labels: {},
  description: "",
  type,
  options,
  required: false,
  indexed: false,
  position: 0,
  slot: 0,
  deletedAt: null,
});

const FIELDS: FieldMeta[] = [
  field("text", { maxLength: 5 }),
  field("long_text"),
  field("email"),
  field("phone"),
  field("url"),
  field("number", { min: -10, max: 10 }),
  field("currency", { currency: "CNY" }),
  field("percent"),
  field("rating", { max: 3 }),
  field("date"),
  field("datetime"),
  field("checkbox"),
  field("single_select", { choices: [{ name: "a" }, { name: "b" }] }),
  field("multi_select", { choices: [{ name: "a" }, { name: "b" }, { name: "c" }] }),
  field("user"),
  field("link", { multiple: false }),
  field("link", { multiple: true }),
  field("autonumber"),
];

// Values near each type's edges, mixed with arbitrary JSON.
const interesting = fc.oneof(
  fc.constantFrom(
    "",
    "a",
    "abcdef",
    "x@y.example",
    "not an email",
    "+86 138 0013 8000",
    "https://a.example/",
    "ftp://x",
    "2024-02-29",
    "2023-02-29",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00",
    "usr_abcdefghijkl",
    "usr_ABC",
    "a",
    "b",
    "c",
    "ZZ",
    null,
    true,
    false,
    0,
    1,
    3,
    4,
    -11,
    10.5,
    2 ** 53,
    1.5e15,
  ),
  fc.array(fc.constantFrom("a", "b", "c", "d", 1, 2, 2.5, -1, null), { maxLength: 4 }),
  fc.record(
    { amount: fc.oneof(fc.integer(), fc.double(), fc.string()), currency: fc.constantFrom("CNY", "usd", "USD", 3) },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

describe("compiled record validation", () => {
  it("gives the same verdict as @cfworker/json-schema for every field type's value schema", () => {
    for (const f of FIELDS) {
      const schema = FIELD_TYPES[f.type].valueSchema(f);
      const reference = new Validator(schema as never, "2020-12", false);
      const fast = compileRecordValidator(schema as Record<string, unknown>);
      fc.assert(
        fc.property(interesting, (value) => {
          expect(fast(value, "v").length === 0, `${f.type} ${JSON.stringify(value)}`).toBe(
            reference.validate(value).valid,
          );
        }),
        { numRuns: 400 },
      );
    }
  });

  it("gives the same verdict for whole records, and names each bad field by path", () => {
    const properties = Object.fromEntries(FIELDS.map((f, i) => [`f${i}`, FIELD_TYPES[f.type].valueSchema(f)]));
    const schema = { type: "object", additionalProperties: false, properties };
    const reference = new Validator(schema as never, "2020-12", false);
    const fast = compileRecordValidator(schema);
    const record = fc.dictionary(fc.constantFrom(...Object.keys(properties), "unknown"), interesting, { maxKeys: 6 });
    fc.assert(
      fc.property(record, (value) => {
        const errors = fast(value, "fields");
        expect(errors.length === 0).toBe(reference.validate(value).valid);
        for (const e of errors)
          expect(Object.keys(value).map((k) => `fields/${k}`)).toContain(e.field.split("/").slice(0, 2).join("/"));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses to compile a keyword it does not implement, rather than ignore it", () => {
    expect(() => compileRecordValidator({ type: "string", multipleOf: 2 })).toThrow(/unsupported keyword multipleOf/);
    expect(() => compileRecordValidator({ type: "object", additionalProperties: { type: "string" } })).toThrow(
      /additionalProperties/,
    );
  });
});
