/**
 * Names for the user ids a view shows, through the client's cached lookup (the directory when signed
 * in, the embed's own people in an embed), and the signed-in user (their time zone for dates, their
 * own name). An id without a name stays an id; names are a nicety, so a failed lookup shows ids.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient, User } from "../api/client";

export class UserNamesController implements ReactiveController {
  me: User | null = null;
  private names = new Map<string, string>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: () => ApiClient | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Reads the signed-in user once (never for an embed, which has none). */
  async loadMe(): Promise<void> {
    const api = this.api();
    if (!api || api.embedded || this.me) return;
    try {
      const { user } = await api.me();
      this.me = user;
      this.names.set(user.id, user.name);
      this.host.requestUpdate();
    } catch {
      // dates then show in UTC; nothing else depends on it
    }
  }

  /** A user's name, or the id until (or unless) it is known. */
  name(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** Looks up the names not known yet; the host renders again when some arrive. */
  resolve(ids: string[]): void {
    const api = this.api();
    const missing = ids.filter((id) => !this.names.has(id));
    if (!api || !missing.length) return;
    api
      .userNames(missing)
      .then((names) => {
        for (const [id, name] of names) this.names.set(id, name);
        if (names.size) this.host.requestUpdate();
      })
      .catch(() => undefined);
  }
}
