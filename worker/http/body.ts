import type { Context } from "hono";
import { checkInput } from "../audit/log";
import { AppError } from "../errors";
import { requireWellFormed } from "../model/well-formed";

/**
 * Reads a JSON request body. Parsing text ourselves (not c.req.json()) lets malformed JSON become a
 * 400 invalid_json instead of an unhandled SyntaxError. A missing content-type is tolerated for
 * curl-style clients; a non-JSON one is refused so form posts are not misread.
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header("content-type");
  if (type !== undefined) {
    const mime = type.split(";")[0]!.trim().toLowerCase();
    if (mime !== "application/json" && !/^application\/[a-z0-9.+-]*\+json$/.test(mime)) {
      throw new AppError(
        "unsupported_media_type",
        `Send the body as application/json, not ${mime || "an empty content type"}`,
      );
    }
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new AppError("invalid_json", "The request body is empty; send a JSON document");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      "invalid_json",
      `The request body is not valid JSON: ${err instanceof Error ? err.message : "parse error"}`,
    );
  }
  requireWellFormed(body);
  return body;
}

const EMPTY = { type: "object", additionalProperties: false, properties: {} };

/**
 * The body of a request that takes none: nothing, or `{}`; anything else is refused (422 naming the
 * member, `detail` saying why) rather than ignored. Hono keeps the text, so readJson reads it again.
 */
export async function emptyBody(c: Context, detail: string): Promise<void> {
  if ((await c.req.text()).trim() === "") return;
  checkInput(EMPTY, await readJson(c), detail);
}
