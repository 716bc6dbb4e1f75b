import { LitElement, html } from "lit";
export class X extends LitElement { override render() { return html`sg-record`; } }
if (!customElements.get("sg-record")) customElements.define("sg-record", X);
