/**
 * The unread count of the bell, kept current by polling: once when the host connects, then every
 * `intervalMs` (30 s) while the page is visible, and at once when the window gets focus or the page
 * becomes visible again, so a user coming back sees new notifications without waiting. One request at
 * a time; a count the host sets from a reply (after marking read) wins over a poll still on its way.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { UnreadCount } from "../api/client";

export const POLL_MS = 30_000;

export interface UnreadCountOptions {
  fetch(): Promise<UnreadCount>;
  intervalMs?: number;
}

export class UnreadCountController implements ReactiveController {
  unread = 0;
  more = false;
  /** False until the first count arrived. */
  known = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | null = null;
  /** Bumped by set() and disconnect: a poll started before is dropped when it answers. */
  private gen = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly opts: UnreadCountOptions,
  ) {
    host.addController(this);
  }

  private readonly onFocus = () => void this.refresh();
  private readonly onVisibility = () => {
    if (document.visibilityState === "visible") void this.refresh();
  };
  private readonly onTick = () => {
    if (document.visibilityState !== "hidden") void this.refresh();
  };

  hostConnected(): void {
    window.addEventListener("focus", this.onFocus);
    document.addEventListener("visibilitychange", this.onVisibility);
    this.timer = setInterval(this.onTick, this.opts.intervalMs ?? POLL_MS);
    void this.refresh();
  }

  hostDisconnected(): void {
    window.removeEventListener("focus", this.onFocus);
    document.removeEventListener("visibilitychange", this.onVisibility);
    clearInterval(this.timer);
    this.timer = undefined;
    this.gen++;
  }

  /** Asks the server now (joins a request already on its way). A failure keeps the last count. */
  refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const gen = this.gen;
    this.inFlight = this.opts
      .fetch()
      .then(
        (count) => {
          if (gen === this.gen) this.apply(count);
        },
        () => undefined,
      )
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** A count from another reply (marking read): it is newer than any poll on its way. */
  set(count: UnreadCount): void {
    this.gen++;
    this.apply(count);
  }

  private apply(count: UnreadCount): void {
    this.unread = count.unread;
    this.more = count.more;
    this.known = true;
    this.host.requestUpdate();
  }
}
