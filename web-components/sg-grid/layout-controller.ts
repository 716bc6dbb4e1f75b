/**
 * Column widths, order and frozen columns saved to the grid's view, shortly after the user stops
 * changing them. Only admins change views: for others (403/404) the layout lasts until the page
 * reloads, silently.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { ApiError, type ApiClient, type ViewInfo } from "../api/client";
import type { Hot } from "./hot-controller";

export interface LayoutHost {
  hot(): Hot | null;
  client(): ApiClient;
  view(): ViewInfo | null;
  /** The view as saved (its new version). */
  saved(view: ViewInfo): void;
  failed(err: unknown): void;
}

export class GridLayoutController implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly h: LayoutHost,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  /** A column was resized, moved, frozen or unfrozen. */
  changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.save(), 600);
  }

  private async save(): Promise<void> {
    const hot = this.h.hot();
    const view = this.h.view();
    const client = this.h.client();
    if (!hot || !view || client.embedded) return;
    const order = Array.from({ length: hot.countCols() }, (_, c) => hot.colToProp(c) as string);
    const columnWidths = Object.fromEntries(
      order.map((name, c) => [name, Math.max(20, Math.min(2000, Math.round(hot.getColWidth(c))))]),
    );
    const frozenColumns = Math.min(20, hot.getSettings().fixedColumnsStart ?? 0);
    try {
      const reply = await client.request<{ view: ViewInfo }>(
        "PATCH",
        `/api/meta/views/${encodeURIComponent(view.id)}`,
        {
          version: view.version,
          fields: order,
          layout: { ...(view.layout ?? {}), columnWidths, frozenColumns },
        },
      );
      this.h.saved(reply.view);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 403 || err.status === 404))) this.h.failed(err);
    }
  }
}
