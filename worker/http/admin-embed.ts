/**
 * Admin API for embed tokens under /api/admin/embed-tokens: mint (the token string is shown this
 * once; only its row is kept), list (never with token strings) and revoke. Mint and revoke are one
 * batch each with their audit row. A token's filter is checked against the fields of the view's
 * table that the admin can read and stored by field id, so renaming a field keeps the token working.
 */
import { Hono, type Context } from "hono";
import filterSchema from "../../schemas/filter.schema.json";
import type { Filter } from "../../schemas/types";
import type { AppEnv } from "../env";
import { requireAdmin, tableAccess } from "../access";
import { auditRow, checkInput, checkQuery, intParam, prepare, type AdminContext } from "../audit/log";
import { runBatch } from "../db/batch";
import {
  EMBED_MAX_DAYS,
  insertEmbed,
  listEmbeds,
  loadEmbed,
  maxExpiry,
  newEmbedId,
  revokeEmbed,
  signEmbedToken,
  type EmbedToken,
} from "../auth/embed";
import { invalid, notFound } from "../errors";
import { parseDatetime } from "../model/dates";
import { findTable, loadRegistry, type Registry } from "../model/registry";
import type { TableMeta } from "../model/types";
import { canOpenView, loadView, type ViewMeta } from "../model/views";
import { parseFilter } from "../query/filter";
import { guardChanges } from "../query/write";
import { readJson } from "./body";
import { schemaContext } from "./context";

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_FILTER_CHARS = 16 * 1024;

const MINT = {
  $id: "embed-token.schema.json",
  type: "object",
  additionalProperties: false,
  required: ["view", "mode"],
  properties: {
    view: { type: "string", minLength: 1, maxLength: 64 },
    mode: { enum: ["read", "edit"] },
    filter: { $ref: "filter.schema.json" },
    expiresAt: { type: "string", minLength: 10, maxLength: 40 },
    expiresInDays: { type: "integer", minimum: 1, maximum: EMBED_MAX_DAYS },
    label: { type: "string", maxLength: 200 },
  },
};

interface MintInput {
  view: string;
  mode: "read" | "edit";
  filter?: Filter;
  expiresAt?: string;
  expiresInDays?: number;
  label?: string;
}

function adminContext(c: Context<AppEnv>, action: string): AdminContext {
  requireAdmin(c.get("principal"), action);
  return schemaContext(c);
}

function mapFilter(filter: Filter, fn: (ref: string) => string): Filter {
  if ("and" in filter) return { and: filter.and.map((f) => mapFilter(f, fn)) };
  if ("or" in filter) return { or: filter.or.map((f) => mapFilter(f, fn)) };
  return { ...filter, field: fn(filter.field) };
}

/** Exactly one of expiresAt (a future instant within the limit) and expiresInDays; an embed always ends. */
function expiry(input: MintInput, now: Date): string {
  const both = input.expiresAt !== undefined && input.expiresInDays !== undefined;
  if (both)
    throw invalid(
      [{ field: "expiresAt", code: "exclusive", message: "Send expiresAt or expiresInDays, not both" }],
      "The embed token is invalid",
    );
  if (input.expiresInDays !== undefined) return new Date(now.getTime() + input.expiresInDays * DAY_MS).toISOString();
  if (input.expiresAt === undefined) {
    throw invalid(
      [
        {
          field: "expiresAt",
          code: "required",
          message: `An embed token expires: send expiresAt or expiresInDays (1 to ${EMBED_MAX_DAYS})`,
        },
      ],
      "The embed token is invalid",
    );
  }
  const parsed = parseDatetime(input.expiresAt);
  if (!parsed.ok)
    throw invalid(
      [{ field: "expiresAt", code: parsed.code, message: `expiresAt: ${parsed.message}`, params: parsed.params }],
      "The embed token is invalid",
    );
  const at = new Date(parsed.value);
  if (at <= now)
    throw invalid(
      [{ field: "expiresAt", code: "range", message: "expiresAt is in the past" }],
      "The embed token is invalid",
    );
  if (at > maxExpiry(now))
    throw invalid(
      [{ field: "expiresAt", code: "range", message: `An embed token lasts at most ${EMBED_MAX_DAYS} days` }],
      "The embed token is invalid",
    );
  return at.toISOString();
}

/** The view to embed: it exists, its table is live, and the admin may open it. */
async function embeddable(
  db: D1Database,
  reg: Registry,
  ref: string,
  principal: AppEnv["Variables"]["principal"],
): Promise<{ view: ViewMeta; table: TableMeta }> {
  const view = await loadView(db, reg, ref);
  if (!view || !canOpenView(principal, reg, view)) throw notFound(`View ${JSON.stringify(ref.slice(0, 64))}`, "view");
  const table = findTable(reg, view.tableId);
  if (!table)
    throw invalid(
      [{ field: "view", code: "table_deleted", message: `The table of view ${view.name} is deleted` }],
      "The embed token is invalid",
    );
  return { view, table };
}

/** Field id -> name over every table, deleted fields included, for showing stored filters. */
function fieldNames(reg: Registry): Map<string, string> {
  return new Map(reg.tables.flatMap((t) => [...t.fields, ...t.deletedFields]).map((f) => [f.id, f.name]));
}

/** The reply shape of a token row: its filter by field names, never the token string. */
function embedReply(e: EmbedToken, names: Map<string, string>) {
  return {
    id: e.id,
    view: e.viewId,
    mode: e.mode,
    filter: e.filter ? mapFilter(e.filter, (id) => names.get(id) ?? id) : null,
    label: e.label,
    expiresAt: e.expiresAt,
    revokedAt: e.revokedAt,
    createdBy: e.createdBy,
    createdAt: e.createdAt,
  };
}

export const adminEmbed = new Hono<AppEnv>()
  .post("/", async (c) => {
    const ctx = adminContext(c, "mint embed tokens");
    const input = checkInput<MintInput>(MINT, await readJson(c), "The embed token is invalid", [filterSchema]);
    const now = new Date(ctx.at);
    const expiresAt = expiry(input, now);
    const reg = await loadRegistry(ctx.db);
    const principal = c.get("principal");
    const { view, table } = await embeddable(ctx.db, reg, input.view, principal);
    let filter: Filter | null = null;
    if (input.filter !== undefined) {
      if (JSON.stringify(input.filter).length > MAX_FILTER_CHARS) {
        throw invalid(
          [
            {
              field: "filter",
              code: "too_long",
              message: `A token's filter is at most ${MAX_FILTER_CHARS} characters of JSON`,
            },
          ],
          "The embed token is invalid",
        );
      }
      // Only fields the admin can read, checked now; the embed re-checks against the creator on every request.
      const access = tableAccess(principal, table, reg);
      parseFilter(input.filter, table, { canRead: (f) => access.canRead(f) }, "filter");
      filter = mapFilter(input.filter, (ref) => table.fields.find((f) => f.id === ref || f.name === ref)!.id);
    }
    const embed: EmbedToken = {
      id: newEmbedId(),
      viewId: view.id,
      createdBy: ctx.userId,
      mode: input.mode,
      filter,
      label: input.label ?? "",
      expiresAt,
      revokedAt: null,
      createdAt: ctx.at,
    };
    const token = await signEmbedToken(c.env, embed, now);
    await runBatch(
      ctx.db,
      [
        insertEmbed(ctx.db, embed),
        auditRow(
          ctx,
          "embed.create",
          { target: embed.id, view: view.id, mode: embed.mode, filter, label: embed.label, expiresAt },
          { tableId: table.id },
        ),
      ],
      { what: "Minting the embed token" },
    );
    c.header("Cache-Control", "no-store");
    return c.json({ token, embed: embedReply(embed, fieldNames(reg)) }, 201);
  })
  .get("/", async (c) => {
    adminContext(c, "list embed tokens");
    checkQuery(c.req.query(), ["view", "limit"]);
    const limit = intParam(c.req.query("limit"), "limit", 200, 1, 1000);
    const reg = await loadRegistry(c.env.DB);
    const ref = c.req.query("view");
    let viewId: string | null = null;
    if (ref !== undefined) {
      const view = await loadView(c.env.DB, reg, ref);
      if (!view) throw notFound(`View ${JSON.stringify(ref.slice(0, 64))}`, "view");
      viewId = view.id;
    }
    const list = await listEmbeds(c.env.DB, viewId, limit);
    const names = fieldNames(reg);
    return c.json({ embeds: list.map((e) => embedReply(e, names)) });
  })
  .delete("/:id", async (c) => {
    const ctx = adminContext(c, "revoke embed tokens");
    const id = c.req.param("id");
    const embed = await loadEmbed(ctx.db, id);
    if (!embed) throw notFound(`Embed token ${JSON.stringify(id.slice(0, 64))}`, "id");
    const reg = await loadRegistry(ctx.db);
    // Revoking twice is not an error, and writes nothing the second time.
    if (embed.revokedAt === null) {
      const view = await loadView(ctx.db, reg, embed.viewId);
      await runBatch(
        ctx.db,
        [
          revokeEmbed(ctx.db, embed.id, ctx.at),
          prepare(ctx.db, guardChanges(1, "stale")),
          auditRow(
            ctx,
            "embed.revoke",
            { target: embed.id, view: embed.viewId },
            { tableId: view?.id === embed.viewId ? view.tableId : null },
          ),
        ],
        { what: "Revoking the embed token" },
      );
    }
    return c.json({ embed: embedReply((await loadEmbed(ctx.db, embed.id))!, fieldNames(reg)) });
  });
