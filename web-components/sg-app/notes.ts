/** The app's toasts: short notes that dismiss themselves (errors stay longer) or on the user's click. */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from "lit";
import { msg } from "../i18n/index";
import { closeIcon } from "../icons";

interface Note {
  id: number;
  kind: "info" | "error";
  message: string;
}

export class Notes implements ReactiveController {
  private list: Note[] = [];
  private seq = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  add(kind: "info" | "error", message: string): void {
    const id = ++this.seq;
    this.list = [...this.list, { id, kind, message }];
    this.host.requestUpdate();
    setTimeout(() => this.remove(id), kind === "error" ? 10_000 : 5000);
  }

  private remove(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
    this.host.requestUpdate();
  }

  render() {
    return html`<div class="notes" role="status" aria-live="polite" aria-label=${msg("Notifications", { id: "app.notifications" })}>
      ${this.list.map(
        (n) =>
          html`<div class="note ${n.kind}" role=${n.kind === "error" ? "alert" : nothing}>${n.message}<button aria-label=${msg("Dismiss", { id: "app.dismiss" })} @click=${() => this.remove(n.id)}>${closeIcon}</button></div>`,
      )}
    </div>`;
  }
}
