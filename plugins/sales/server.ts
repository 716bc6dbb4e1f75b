/**
 * The sales plugin's server side: exact totals kept from the lines (lines.ts), quotes and orders with
 * their lifecycles (documents.ts, lifecycle.ts), payments rolled up into their order (payments.ts),
 * the quote-to-order and quote-revise actions (convert.ts), confirm-order (confirm.ts), a customer's
 * purchase history as the caller may see it (history.ts) and the daily expiry of quotes (expire.ts).
 */
import type { PluginServer } from "../../worker/plugin-sdk";
import { COMPANY_INPUT, company } from "./company";
import { CONFIRM_INPUT, confirmOrder } from "./confirm";
import { QUOTE_INPUT, quoteRevise, quoteToOrder } from "./convert";
import { documentHook } from "./documents";
import { expireQuotes } from "./expire";
import { HISTORY_INPUT, purchaseHistory } from "./history";
import { ORDER, QUOTE } from "./kinds";
import { linesHook } from "./lines";
import { beforePayments } from "./payments";

const server: PluginServer = {
  hooks: {
    quotes: { beforeWrite: documentHook(QUOTE) },
    quote_lines: { beforeWrite: linesHook(QUOTE) },
    orders: { beforeWrite: documentHook(ORDER) },
    order_lines: { beforeWrite: linesHook(ORDER) },
    payments: { beforeWrite: beforePayments },
  },
  actions: {
    "quote-to-order": { input: QUOTE_INPUT, run: quoteToOrder },
    "quote-revise": { input: QUOTE_INPUT, run: quoteRevise },
    "confirm-order": { input: CONFIRM_INPUT, run: confirmOrder },
    company: { input: COMPANY_INPUT, run: company },
    "purchase-history": { input: HISTORY_INPUT, run: purchaseHistory },
  },
  jobs: { "expire-quotes": { everyMinutes: 24 * 60, run: expireQuotes } },
};

export default server;
