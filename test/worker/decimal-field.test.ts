/**
 * The decimal field type: exact decimals with a fixed scale, stored as integer units, answered as
 * decimal strings with exactly `scale` places. Writes, filters, sort and sums through the HTTP API
 * against a real D1; bad values are 422 naming the field; the scale is fixed once the field has values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";
import fc from "fast-check";
import { compareDecimals, addDecimals, multiplyMoney, decimalToUnits } from "../../worker/plugin-sdk";
import { decimalText } from "../../web-components/i18n/decimal";
import { textOperand } from "../../web-components/sg-filter/ops";

type Client = ReturnType<typeof api>;
let admin: Client;
let table: string;

const create = (fields: Record<string, unknown>, t = table) => admin.post(`/tables/${t}/records`, { fields });
const list = async (query: string) => {
  const r = await admin.get(`/tables/${table}/records?${query}`);
  expect(r.status, r.text).toBe(200);
  return r.body.records.map((x: { fields: { qty: string } }) => x.fields.qty);
};
const filter = (f: unknown) => `filter=${encodeURIComponent(JSON.stringify(f))}&sort=qty`;

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  table = `dec_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const r = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "label", type: "text" },
      { name: "qty", type: "decimal", options: { scale: 3 } },
      { name: "price", type: "decimal" },
    ],
  });
  expect(r.status, r.text).toBe(201);
  for (const qty of ["0.1", 0.2, "-1.5", "12.345", "1000000"]) expect((await create({ qty })).status).toBe(201);
});

describe("decimal values", () => {
  it("answers a decimal string with exactly the field's places; 2 by default", async () => {
    const r = await create({ qty: "1.25", price: 19.9 });
    expect(r.status, r.text).toBe(201);
    expect(r.body.record.fields).toMatchObject({ qty: "1.250", price: "19.90" });
    const back = await admin.get(`/tables/${table}/records/${r.body.record.id}`);
    expect(back.body.record.fields).toMatchObject({ qty: "1.250", price: "19.90" });
    const meta = await admin.get(`/meta/tables/${table}`);
    const fields = meta.body.table.fields as { name: string; options: { scale?: number } }[];
    expect(fields.find((f) => f.name === "price")!.options.scale).toBe(2);
  });

  it("holds the largest value the scale allows exactly", async () => {
    const r = await create({ qty: "9007199254740.991" });
    expect(r.status, r.text).toBe(201);
    const back = await admin.get(`/tables/${table}/records/${r.body.record.id}`);
    expect(back.body.record.fields.qty).toBe("9007199254740.991");
    await admin.delete(`/tables/${table}/records/${r.body.record.id}`, { version: r.body.record.version });
  });

  it("sums exactly in SQL: 0.1 + 0.2 is 0.3", async () => {
    const r = await admin.post(`/tables/${table}/aggregate`, {
      filter: { field: "qty", op: "in", value: ["0.1", "0.2"] },
      measures: [
        { op: "sum", field: "qty" },
        { op: "avg", field: "qty" },
        { op: "max", field: "qty" },
      ],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups[0].values).toEqual({ "sum:qty": "0.300", "avg:qty": "0.150", "max:qty": "0.200" });
  });

  it("filters and sorts by value, not by text", async () => {
    expect(await list(filter({ field: "qty", op: "gt", value: "0.15" }))).toEqual(
      expect.arrayContaining(["0.200", "12.345", "1000000.000"]),
    );
    const between = await list(filter({ field: "qty", op: "between", value: [-2, "0.2"] }));
    expect(between).toEqual(["-1.500", "0.100", "0.200"]);
    expect(await list(filter({ field: "qty", op: "eq", value: 0.1 }))).toEqual(["0.100"]);
    // An operand finer than the scale still orders correctly, and equals nothing.
    expect(await list(filter({ field: "qty", op: "lt", value: "0.1001" }))).toEqual(["-1.500", "0.100"]);
    expect(await list(filter({ field: "qty", op: "eq", value: "0.1001" }))).toEqual([]);
    const sorted = await list(
      `sort=qty&filter=${encodeURIComponent(JSON.stringify({ field: "qty", op: "is_not_empty" }))}`,
    );
    expect(sorted.slice(0, 3)).toEqual(["-1.500", "0.100", "0.200"]);
  });
});

describe("bad decimal input", () => {
  const bad = async (qty: unknown, code: string) => {
    const r = await create({ label: "bad", qty });
    expect(r.status, r.text).toBe(422);
    expect(r.headers.get("content-type")).toContain("application/problem+json");
    expect(r.body.errors).toEqual([expect.objectContaining({ field: "fields/qty", code })]);
  };

  it("refuses more places than the scale", () => bad("1.2345", "precision"));
  it("takes extra zeros beyond the scale", async () => {
    const r = await create({ qty: "2.50000" });
    expect(r.status, r.text).toBe(201);
    expect(r.body.record.fields.qty).toBe("2.500");
  });
  it("refuses a value beyond the exact range", () => bad("9007199254740.992", "out_of_range"));
  it("refuses a number beyond the exact range", () => bad(1e20, "out_of_range"));
  it("refuses a boolean", () => bad(true, "type"));
  it("refuses an object", () => bad({ value: "1" }, "type"));
  it("refuses text that is not a plain decimal", async () => {
    for (const v of ["abc", "1e3", "1,000", " 1", "0x10", "1.2.3", "'; DROP TABLE x; --"]) await bad(v, "pattern");
  });
  it("refuses a bad filter operand with 422 naming it", async () => {
    const r = await admin.get(`/tables/${table}/records?${filter({ field: "qty", op: "gt", value: "1; --" })}`);
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors[0].field).toBe("filter/value");
  });
});

describe("the scale", () => {
  it("is 0 to 6", async () => {
    const r = await admin.post(`/meta/tables/${table}/fields`, {
      name: "bad_scale",
      type: "decimal",
      options: { scale: 7 },
    });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors[0].field).toBe("options/scale");
  });

  it("changes while the field is empty and is fixed once it has values", async () => {
    const f = await admin.post(`/meta/tables/${table}/fields`, {
      name: "weight",
      type: "decimal",
      options: { scale: 1 },
    });
    expect(f.status, f.text).toBe(201);
    const id = f.body.field.id;
    const empty = await admin.patch(`/meta/tables/${table}/fields/${id}`, { options: { scale: 2 } });
    expect(empty.status, empty.text).toBe(200);
    expect((await create({ weight: "1.25" })).status).toBe(201);
    const held = await admin.patch(`/meta/tables/${table}/fields/${id}`, { options: { scale: 4 } });
    expect(held.status, held.text).toBe(422);
    expect(held.body.errors).toEqual([expect.objectContaining({ field: "options/scale", code: "fixed" })]);
    const still = await admin.get(`/meta/tables/${table}`);
    expect(still.body.table.fields.find((x: { name: string }) => x.name === "weight").options.scale).toBe(2);
  });
});

describe("type changes", () => {
  it("a number field becomes decimal (rounded half-up to the scale) and a decimal becomes text exactly", async () => {
    const name = `conv_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const t = await admin.post("/meta/tables", {
      name,
      fields: [
        { name: "n", type: "number", options: { precision: 4 } },
        { name: "d", type: "decimal", options: { scale: 3 } },
      ],
    });
    expect(t.status, t.text).toBe(201);
    const [n, d] = t.body.table.fields.map((f: { id: string }) => f.id);
    const r = await create({ n: 3.1416, d: "2.5" }, name);
    expect(r.status, r.text).toBe(201);
    expect(
      (await admin.patch(`/meta/tables/${name}/fields/${n}`, { type: "decimal", options: { scale: 2 } })).status,
    ).toBe(200);
    expect((await admin.patch(`/meta/tables/${name}/fields/${d}`, { type: "text" })).status).toBe(200);
    const back = await admin.get(`/tables/${name}/records/${r.body.record.id}`);
    expect(back.body.record.fields).toMatchObject({ n: "3.14", d: "2.500" });
  });
});

describe("SDK decimal helpers", () => {
  it("add and compare exactly", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(addDecimals("1.250", "-0.25", 3)).toBe("1.000");
    expect(compareDecimals("10", "9.999")).toBe(1);
    expect(compareDecimals("1.50", 1.5)).toBe(0);
    expect(compareDecimals("-0.001", "0")).toBe(-1);
  });

  it("agree with integer arithmetic on units for any decimals", () => {
    const dec = fc.tuple(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), fc.integer({ min: 0, max: 6 }));
    const text = ([u, s]: [bigint, number]) => {
      const neg = u < 0n;
      const digits = (neg ? -u : u).toString().padStart(s + 1, "0");
      return `${neg ? "-" : ""}${s ? `${digits.slice(0, -s)}.${digits.slice(-s)}` : digits}`;
    };
    fc.assert(
      fc.property(dec, dec, (a, b) => {
        const units = (d: [bigint, number]) => d[0] * 10n ** BigInt(6 - d[1]);
        const sum = units(a) + units(b);
        const r = decimalToUnits(addDecimals(text(a), text(b), 6), 6);
        expect(r.ok && BigInt(r.units)).toBe(sum);
        const cmp = units(a) < units(b) ? -1 : units(a) > units(b) ? 1 : 0;
        expect(compareDecimals(text(a), text(b))).toBe(cmp);
      }),
    );
  });

  it("a decimal quantity times a price and a rate rounds once, half away from zero", () => {
    // 19.99 x 2.500 x 87% = 43.47825 -> 43.48
    expect(multiplyMoney(1999, "2.500", 8700)).toBe(4348);
    // 0.01 x 0.5 = 0.005 -> 0.01; negative mirrors it
    expect(multiplyMoney(1, "0.500")).toBe(1);
    expect(multiplyMoney(-1, "0.500")).toBe(-1);
    // The same line from the quantity's string and from the sum of its parts: exact, no float drift.
    expect(multiplyMoney(1000, addDecimals("0.1", "0.2"))).toBe(multiplyMoney(1000, "0.3"));
  });
});

describe("the grid's and form's reading of typed decimals", () => {
  it("reads grouping and pads to the scale, by string operations", () => {
    expect(decimalText("1,234.5", 3)).toBe("1234.500");
    expect(decimalText(" 0.1 ", 2)).toBe("0.10");
    expect(decimalText("-0", 2)).toBe("0.00");
    expect(decimalText("-.5", 1)).toBe("-0.5");
    expect(decimalText("2.50000", 3)).toBe("2.500");
    expect(decimalText("007", 0)).toBe("7");
  });
  it("refuses more places than the scale and anything not a plain decimal", () => {
    for (const t of ["1.2345", "abc", "1e3", "", ".", "1.2.3", "--1"]) expect(decimalText(t, 3)).toBeNull();
  });
});

describe("the filter builder's operands", () => {
  it("sends a decimal as its exact text and a formatted autonumber as its number", () => {
    expect(textOperand({ type: "decimal" }, " 1,234.50 ")).toBe("1234.50");
    expect(textOperand({ type: "decimal" }, "0.1")).toBe("0.1");
    expect(textOperand({ type: "decimal" }, "abc")).toBeUndefined();
    expect(textOperand({ type: "autonumber", options: { format: { prefix: "Q-" } } }, " Q-2026-00042 ")).toBe(
      "Q-2026-00042",
    );
    expect(textOperand({ type: "autonumber", options: {} }, "42")).toBeNull();
    expect(textOperand({ type: "number" }, "42")).toBeNull();
  });
});
