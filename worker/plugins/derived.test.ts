import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { typeSpec } from "../model/field-types";
import type { FieldMeta } from "../model/types";
import { validate } from "../model/validate";
import { derivedValueErrors } from "./derived";

const money = { id: "fld_m", name: "total", type: "currency", options: { currency: "CNY" } } as unknown as FieldMeta;
const schemaErrors = (v: unknown) => validate(typeSpec("currency").valueSchema(money), v, "total");

describe("derived money values", () => {
  it("are accepted by the hand check only when the currency schema accepts them", () => {
    const value = fc.oneof(
      fc.record(
        {
          amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(2 ** 53)),
          currency: fc.oneof(fc.constantFrom("CNY", "USD", "cny", "US", ""), fc.string()),
        },
        { requiredKeys: [] },
      ),
      fc.record({ amount: fc.integer(), currency: fc.constant("CNY"), extra: fc.anything() }),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(derivedValueErrors(money, v).length === 0).toBe(schemaErrors(v).length === 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("name the field when refused", () => {
    expect(derivedValueErrors(money, { amount: 1.5, currency: "CNY" })[0]?.field).toBe("total");
    expect(derivedValueErrors(money, { amount: 1, currency: "cny" })).not.toEqual([]);
  });
});
