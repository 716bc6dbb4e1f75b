/** The app's addresses: quote and order documents and their print pages round-trip through the hash. */
import { describe, expect, it } from "vitest";
import { parseRoute, routeHash } from "./route";

describe("document routes", () => {
  it("reads and writes #/quotes/<id>, #/orders/<id> and their print pages", () => {
    expect(parseRoute("#/quotes/12")).toEqual({ kind: "doc", doc: "quote", id: 12 });
    expect(parseRoute("#/orders/7")).toEqual({ kind: "doc", doc: "order", id: 7 });
    expect(parseRoute("#/print/quotes/12/zh-CN")).toEqual({ kind: "print", doc: "quote", id: 12, lang: "zh-CN" });
    expect(parseRoute("#/print/orders/3")).toEqual({ kind: "print", doc: "order", id: 3 });
    for (const h of ["#/quotes/12", "#/orders/7", "#/print/quotes/12/zh-CN", "#/print/orders/3"])
      expect(routeHash(parseRoute(h))).toBe(h);
  });
  it("reads and writes the inventory screens: #/stock, #/receive, #/ship/<order id>", () => {
    expect(parseRoute("#/stock")).toEqual({ kind: "stock" });
    expect(parseRoute("#/receive")).toEqual({ kind: "receive" });
    expect(parseRoute("#/ship/42")).toEqual({ kind: "ship", order: 42 });
    expect(parseRoute("#/ship/x")).toEqual({ kind: "home" });
    expect(parseRoute("#/pick/42")).toEqual({ kind: "pick", order: 42 });
    for (const h of ["#/stock", "#/receive", "#/ship/42", "#/pick/42"]) expect(routeHash(parseRoute(h))).toBe(h);
  });
  it("sends an id that is no positive integer home", () => {
    expect(parseRoute("#/quotes/0")).toEqual({ kind: "home" });
    expect(parseRoute("#/quotes/1e3")).toEqual({ kind: "home" });
    expect(parseRoute("#/print/invoices/4")).toEqual({ kind: "home" });
  });
});
