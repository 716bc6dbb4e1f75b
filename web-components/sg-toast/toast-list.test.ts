/** Toasts say one thing once and go away: the same message again is not a second toast. */
import { describe, expect, it } from "vitest";
import { ToastList, TOAST_MS } from "./toast-list";

describe("ToastList", () => {
  it("shows the same message once, giving it more time instead of a second copy", () => {
    const list = new ToastList();
    list.show("error", "Required", 0);
    list.show("error", "Required", 1000);
    expect(list.items.map((t) => t.text)).toEqual(["Required"]);
    expect(list.items[0]!.until).toBe(1000 + TOAST_MS.error);
    list.show("info", "Required", 1000);
    expect(list.items).toHaveLength(2);
  });

  it("lets each message go after its time, and keeps at most three", () => {
    const list = new ToastList();
    list.show("info", "a", 0);
    list.show("error", "b", 0);
    expect(list.expire(TOAST_MS.info)).toBe(TOAST_MS.error);
    expect(list.items.map((t) => t.text)).toEqual(["b"]);
    expect(list.expire(TOAST_MS.error)).toBeNull();
    for (const t of ["1", "2", "3", "4"]) list.show("info", t, 0);
    expect(list.items.map((t) => t.text)).toEqual(["2", "3", "4"]);
  });
});
