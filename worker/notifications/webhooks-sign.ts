/**
 * The webhook signature: `X-Salesgrid-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with
 * the user's secret as the key (its text, UTF-8), `<timestamp>` the `X-Salesgrid-Timestamp` header
 * (Unix seconds). A receiver recomputes it over the raw body, compares in constant time and refuses
 * an old timestamp (e.g. over 5 minutes), so a captured request cannot be replayed later.
 */
const enc = new TextEncoder();

export async function signatureOf(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${timestamp}.${body}`)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
