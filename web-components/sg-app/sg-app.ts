import { LitElement, html } from "lit";
export class X extends LitElement { override render() { return html`sg-app`; } }
if (!customElements.get("sg-app")) customElements.define("sg-app", X);
