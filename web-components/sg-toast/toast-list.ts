/**
 * The toasts' model, without DOM: a message is shown once (the same kind and text again only
 * restarts its time), each goes away on its own after a while (errors stay longer), and at most a few
 * are kept, the oldest leaving first.
 */
export type ToastKind = "info" | "error";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  /** When it goes away (ms, on the list's clock). */
  until: number;
}

export const TOAST_MS: Record<ToastKind, number> = { info: 4000, error: 8000 };
const MAX_TOASTS = 3;

export class ToastList {
  items: Toast[] = [];
  private seq = 0;

  /** Adds a message, or gives the same one shown already more time; returns the list as it is now. */
  show(kind: ToastKind, text: string, now: number): Toast[] {
    const until = now + TOAST_MS[kind];
    const same = this.items.find((t) => t.kind === kind && t.text === text);
    if (same) {
      this.items = [...this.items.filter((t) => t !== same), { ...same, until }];
    } else {
      this.items = [...this.items, { id: ++this.seq, kind, text, until }].slice(-MAX_TOASTS);
    }
    return this.items;
  }

  dismiss(id: number): Toast[] {
    this.items = this.items.filter((t) => t.id !== id);
    return this.items;
  }

  /** Drops those whose time has passed; returns when the next one goes (null when none is left). */
  expire(now: number): number | null {
    this.items = this.items.filter((t) => t.until > now);
    return this.items.length ? Math.min(...this.items.map((t) => t.until)) : null;
  }
}
