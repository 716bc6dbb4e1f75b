/**
 * The signed-in session of this browser tab: access token, refresh token and user, kept in
 * sessionStorage (gone when the tab closes; not shared with other tabs or origins). One entry per
 * API base URL, so an intranet page embedding two Salesgrids keeps them apart.
 */
import type { User } from "./client";

interface Stored {
  token: string;
  refreshToken: string | null;
  user: User | null;
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (sandboxed frame, privacy mode): the session lives in memory only
  }
}

export class Session {
  private readonly key: string;
  private data: Stored | null;
  private readonly listeners = new Set<() => void>();

  constructor(baseUrl: string) {
    this.key = `salesgrid.session:${baseUrl || "same-origin"}`;
    this.data = this.load();
  }

  get token(): string | null {
    return this.data?.token ?? null;
  }

  get refreshToken(): string | null {
    return this.data?.refreshToken ?? null;
  }

  get user(): User | null {
    return this.data?.user ?? null;
  }

  /** A token handed to an element (`token` attribute): used as it is, not stored, no refresh. */
  useToken(token: string): void {
    this.data = { token, refreshToken: null, user: null };
    this.emit();
  }

  /** Stores the reply of sign-in or refresh. */
  store(reply: { token: string; refreshToken?: string; user?: User }): void {
    this.data = {
      token: reply.token,
      refreshToken: reply.refreshToken ?? null,
      user: reply.user ?? this.data?.user ?? null,
    };
    this.save();
    this.emit();
  }

  setUser(user: User): void {
    if (!this.data) return;
    this.data = { ...this.data, user };
    this.save();
  }

  clear(): void {
    this.data = null;
    storage()?.removeItem(this.key);
    this.emit();
  }

  /** Called when the session starts, refreshes or ends (e.g. to show the sign-in screen). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  private load(): Stored | null {
    const raw = storage()?.getItem(this.key);
    if (!raw) return null;
    try {
      const v = JSON.parse(raw) as Stored;
      return typeof v?.token === "string" ? v : null;
    } catch {
      return null;
    }
  }

  private save(): void {
    // Only sessions that can refresh are worth keeping across reloads.
    if (this.data?.refreshToken) storage()?.setItem(this.key, JSON.stringify(this.data));
  }
}
