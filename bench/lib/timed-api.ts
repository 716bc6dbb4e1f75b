/**
 * Timed calls to a bench Worker's API: each answers how long it took (from the request to the whole
 * body read), its status and its JSON body, and throws on an unexpected status (naming method, path,
 * status and the start of the body) or a dropped connection (naming its cause), so a bench never
 * counts a failure as a fast answer.
 */
export type TimedCall = <T = any>(
  method: string,
  path: string,
  body?: unknown,
  ok?: number[],
) => Promise<{ ms: number; status: number; body: T }>;

/** Calls under `${url}/api`, with the bearer token `token()` gives at the time of each call. */
export function timedApi(url: string, token: () => string | null = () => null): TimedCall {
  return async (method, p, body, ok = [200, 201]) => {
    const t0 = performance.now();
    let res: Response;
    try {
      res = await fetch(`${url}/api${p}`, {
        method,
        headers: { "content-type": "application/json", ...(token() ? { authorization: `Bearer ${token()}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new Error(`${method} ${p}: ${String(err)} (${String(cause)})`);
    }
    const text = await res.text();
    const ms = performance.now() - t0;
    if (!ok.includes(res.status)) throw new Error(`${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`);
    let parsed: any = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { text: text.slice(0, 300) };
    }
    return { ms, status: res.status, body: parsed };
  };
}
