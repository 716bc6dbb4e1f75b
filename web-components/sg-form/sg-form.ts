import { LitElement, html } from "lit";
export class X extends LitElement { override render() { return html`sg-form`; } }
if (!customElements.get("sg-form")) customElements.define("sg-form", X);
