/** A small keep-alive HTTP client (node:http): less client overhead than fetch for latency samples. */
import http from "node:http";

export interface Reply {
  status: number;
  text: string;
}

export class Client {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  token: string | null = null;
  constructor(readonly baseUrl: string) {}

  request(method: string, path: string, body?: string): Promise<Reply> {
    const url = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(600_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", (err) => reject(new Error(`${method} ${path.slice(0, 200)}: ${err.message}`, { cause: err })));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Parses JSON and fails loudly (with the problem document) on an unexpected status. */
  async json<T = any>(method: string, path: string, body?: unknown, expect: number[] = [200, 201]): Promise<T> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (!expect.includes(res.status))
      throw new Error(`${method} ${path.slice(0, 200)} -> ${res.status}: ${res.text.slice(0, 1000)}`);
    return JSON.parse(res.text) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
