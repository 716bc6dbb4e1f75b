/**
 * `<sg-print kind="quote|order" record-id="12" doc-lang="zh-CN">`: the printable quote or order. An
 * A4 sheet (page-style.ts sets @page) with the company name and logo (sales/company), the customer,
 * the number and dates, the lines, the server's totals and the terms (never the internal notes), in
 * the document's language: zh-CN or en, chosen on the page and kept in the address
 * (`#/print/quotes/12/zh-CN`); by default the app's language, since neither quotes nor customers
 * hold a language. The browser prints it or saves it as PDF; no server PDF. Money comes from
 * integer minor units, exactly.
 */
import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type ApiRecord } from "../api/client";
import { currentLocale, localized, msg } from "../i18n/index";
import { controls } from "../sg-app/styles";
import { namesOf } from "../sg-quote/sg-quote";
import { KINDS, type DocKind } from "../sg-quote/kinds";
import { addPageStyle, PRINT_FONTS, removePageStyle } from "./page-style";
import { isDocLang, printDate, printMoney, printPercent, printQuantity, word, type DocLang } from "./words";

interface Company {
  companyName: string;
  companyLogoUrl: string;
}

const amount = (v: unknown): number | null =>
  v && typeof v === "object" && typeof (v as { amount?: unknown }).amount === "number"
    ? (v as { amount: number }).amount
    : null;

@customElement("sg-print")
@localized()
export class SgPrint extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; background: #e5e7eb; min-height: 100vh; }
      .bar { display: flex; gap: 10px; align-items: center; padding: 10px 16px; background: #1f2937; color: #fff; }
      .bar a { color: #fff; }
      .bar select, .bar button { background: #374151; color: #fff; border-color: #4b5563; }
      .sheet { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 16px auto; padding: 14mm; background: #fff; color: #111; box-shadow: 0 2px 12px rgb(0 0 0 / 0.15);
        font-family: ${unsafeCSS(PRINT_FONTS)}; font-size: 10pt; line-height: 1.45; }
      .top { display: flex; justify-content: space-between; align-items: flex-start; gap: 12mm; border-bottom: 2px solid #111; padding-bottom: 4mm; margin-bottom: 6mm; }
      .company { font-size: 14pt; font-weight: 700; }
      .logo { max-height: 18mm; max-width: 60mm; object-fit: contain; display: block; margin-bottom: 2mm; }
      h1 { margin: 0; font-size: 18pt; text-align: right; }
      .number { text-align: right; font-size: 11pt; }
      .facts { display: grid; grid-template-columns: 1fr 1fr; gap: 2mm 10mm; margin-bottom: 6mm; }
      .facts div { display: flex; gap: 3mm; }
      .facts dt { color: #444; min-width: 22mm; }
      .facts dd { margin: 0; font-weight: 600; white-space: pre-wrap; }
      table { width: 100%; border-collapse: collapse; }
      th { border-bottom: 1.5px solid #111; text-align: left; padding: 1.5mm 1.5mm; font-weight: 700; white-space: nowrap; }
      td { border-bottom: 0.5px solid #bbb; padding: 1.5mm; vertical-align: top; }
      .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
      tr { break-inside: avoid; }
      thead { display: table-header-group; }
      .desc { color: #444; font-size: 9pt; }
      .totals { margin-left: auto; margin-top: 4mm; width: 75mm; break-inside: avoid; }
      .totals td { border: none; padding: 1mm 1.5mm; }
      .totals tr.total td { border-top: 1.5px solid #111; font-weight: 700; font-size: 12pt; }
      .terms { margin-top: 8mm; break-inside: avoid; }
      .terms h2 { font-size: 11pt; margin: 0 0 2mm; }
      .terms p { margin: 0; white-space: pre-wrap; }
      .state { padding: 24px; }
      @media print {
        :host { background: #fff; min-height: 0; }
        .bar { display: none; }
        .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
      }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @property() kind: DocKind = "quote";
  @property({ attribute: "record-id", type: Number }) recordId = 0;
  /** The document's language (zh-CN or en); empty: the app's. */
  @property({ attribute: "doc-lang" }) docLanguage = "";

  @state() private doc: ApiRecord | null = null;
  @state() private lines: ApiRecord[] = [];
  @state() private company: Company = { companyName: "", companyLogoUrl: "" };
  @state() private phase: "loading" | "ready" | "missing" | "error" = "loading";
  @state() private error = "";
  @state() private logoFailed = false;
  private loaded = "";

  /** The page's title before; the print page names the PDF a browser saves after the document. */
  private titleBefore = "";

  override connectedCallback(): void {
    super.connectedCallback();
    this.titleBefore = document.title;
    addPageStyle();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removePageStyle();
    document.title = this.titleBefore;
  }

  private get docLang(): DocLang {
    return isDocLang(this.docLanguage) ? this.docLanguage : currentLocale();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const key = `${this.kind}/${this.recordId}`;
    if (
      this.api &&
      this.recordId &&
      key !== this.loaded &&
      (changed.has("recordId") || changed.has("kind") || changed.has("api"))
    ) {
      this.loaded = key;
      void this.load();
    }
  }

  protected override updated(): void {
    if (this.doc) document.title = String(this.doc.fields.number ?? document.title);
  }

  private async load() {
    const api = this.api!;
    const k = KINDS[this.kind];
    this.phase = "loading";
    try {
      const [doc, company] = await Promise.all([
        api.getRecord(k.table, this.recordId, { expand: ["customer", "contact"] }),
        api
          .request<Company>("POST", "/api/actions/sales/company", {})
          .catch(() => ({ companyName: "", companyLogoUrl: "" })),
      ]);
      const lines: ApiRecord[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.listRecords(k.lines, {
          filter: { field: k.parent, op: "contains", value: this.recordId },
          sort: ["position"],
          limit: 1000,
          cursor,
          expand: ["product"],
        });
        lines.push(...page.records);
        cursor = page.nextCursor;
      } while (cursor);
      this.doc = doc.record;
      this.company = company;
      this.lines = lines;
      this.phase = "ready";
    } catch (err) {
      this.phase = err instanceof ApiError && (err.status === 404 || err.status === 403) ? "missing" : "error";
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private setLang(e: Event) {
    const lang = (e.target as HTMLSelectElement).value;
    location.hash = `#/print/${KINDS[this.kind].table}/${this.recordId}/${lang}`;
  }

  override render() {
    const back = `#/${KINDS[this.kind].table}/${this.recordId}`;
    const bar = html`<div class="bar">
      <a href=${back} data-back>${msg("Back to the document", { id: "print.back" })}</a>
      <span style="flex:1"></span>
      <label>${msg("Document language", { id: "print.language" })}
        <select data-doc-lang @change=${this.setLang}>
          <option value="zh-CN" ?selected=${this.docLang === "zh-CN"}>简体中文</option>
          <option value="en" ?selected=${this.docLang === "en"}>English</option>
        </select>
      </label>
      <button class="primary" data-print-now ?disabled=${this.phase !== "ready"} @click=${() => window.print()}>${msg("Print or save as PDF", { id: "print.print" })}</button>
    </div>`;
    if (this.phase === "loading")
      return html`${bar}<p class="state" role="status">${msg("Loading…", { id: "common.loading" })}</p>`;
    if (this.phase !== "ready" || !this.doc)
      return html`${bar}<p class="state error" role="alert">${this.phase === "missing" ? msg("This document does not exist or is not shared with you.", { id: "quote.missingDetail" }) : this.error}</p>`;
    return html`${bar}<main>${this.sheet(this.docLang, this.doc)}</main>`;
  }

  private sheet(lang: DocLang, doc: ApiRecord) {
    const f = doc.fields;
    const w = (k: Parameters<typeof word>[1]) => word(lang, k);
    const cur = String(f.currency ?? "CNY");
    const money = (v: unknown) => printMoney(lang, amount(v), cur);
    const quote = this.kind === "quote";
    const fact = (label: string, value: string, key: string) =>
      value ? html`<div><dt>${label}</dt><dd data-print-fact=${key}>${value}</dd></div>` : nothing;
    return html`<article class="sheet" lang=${lang} data-sheet aria-label=${`${w(quote ? "quote" : "order")} ${String(f.number ?? "")}`}>
      <div class="top">
        <div>
          ${this.company.companyLogoUrl && !this.logoFailed ? html`<img class="logo" src=${this.company.companyLogoUrl} alt=${this.company.companyName} @error=${() => (this.logoFailed = true)} data-logo />` : nothing}
          <div class="company" data-company>${this.company.companyName}</div>
        </div>
        <div>
          <h1>${w(quote ? "quote" : "order")}</h1>
          <div class="number">${w("number")} <strong data-print-number>${String(f.number ?? "")}</strong>${quote && Number(f.revision) > 1 ? html` · ${w("revision")} ${String(f.revision)}` : nothing}</div>
        </div>
      </div>
      <dl class="facts">
        ${fact(w("customer"), namesOf(f.customer), "customer")}
        ${fact(w("date"), printDate(lang, (quote ? doc.createdAt?.slice(0, 10) : f.order_date) ?? ""), "date")}
        ${fact(w("contact"), namesOf(f.contact), "contact")}
        ${quote ? fact(w("validUntil"), printDate(lang, f.valid_until), "valid_until") : fact(w("requestedDate"), printDate(lang, f.requested_date), "requested_date")}
        ${!quote ? fact(w("shipTo"), String(f.shipping_address ?? ""), "shipping_address") : nothing}
        ${fact(w("currency"), cur, "currency")}
      </dl>
      <table data-print-lines>
        <thead><tr>
          <th class="num">${w("line")}</th><th>${w("item")}</th><th class="num">${w("quantity")}</th><th class="num">${w("unitPrice")}</th>
          <th class="num">${w("discount")}</th><th class="num">${w("taxRate")}</th><th class="num">${w("lineTotal")}</th>
        </tr></thead>
        <tbody>
          ${this.lines.map((l, i) => {
            const lf = l.fields;
            const product = namesOf(lf.product);
            const desc = String(lf.description ?? "");
            return html`<tr data-print-line>
              <td class="num">${i + 1}</td>
              <td><div>${product || desc}</div>${product && desc && desc !== product ? html`<div class="desc">${desc}</div>` : nothing}</td>
              <td class="num">${printQuantity(lang, lf.quantity)}</td>
              <td class="num">${money(lf.unit_price)}</td>
              <td class="num">${Number(lf.discount ?? 0) ? printPercent(lang, lf.discount) : ""}</td>
              <td class="num">${printPercent(lang, lf.tax_rate)}</td>
              <td class="num">${money(lf.line_total)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      <table class="totals" data-print-totals>
        <tr><td>${w("subtotal")}</td><td class="num">${money(f.subtotal)}</td></tr>
        <tr><td>${w("discountTotal")}</td><td class="num">${amount(f.discount_total) ? `−${money(f.discount_total)}` : money(f.discount_total)}</td></tr>
        <tr><td>${w("taxTotal")}</td><td class="num">${money(f.tax_total)}</td></tr>
        <tr class="total"><td>${w("total")}</td><td class="num" data-print-total>${money(f.total)}</td></tr>
      </table>
      ${f.terms ? html`<section class="terms"><h2>${w("terms")}</h2><p>${String(f.terms)}</p></section>` : nothing}
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-print": SgPrint;
  }
}
