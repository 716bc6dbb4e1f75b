/**
 * Building blocks of the OpenAPI document: shared schemas, parameters, problem responses and tags.
 */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object) => ({ content: { "application/json": { schema } } });
/** The shared problem+json answers (components.responses), by status; every operation refers to some of them. */
export const PROBLEMS = {
  400: ["BadRequest", "The request is malformed: bad JSON, an unknown field or operator, a bad query parameter"],
  401: ["Unauthenticated", "No valid token, or the credentials are wrong"],
  403: ["Forbidden", "Signed in, but not allowed to do this"],
  404: ["NotFound", "No such route, or no such thing the caller may see"],
  409: ["Conflict", "A stale version, or a clash with existing data; nothing was written"],
  413: ["PayloadTooLarge", "The body is larger than this route accepts"],
  422: ["ValidationFailed", "Values that break the schema or a rule; `errors` names each field"],
  429: [
    "TooManyRequests",
    "Over a rate limit (the `policy` member names it: client, user or rows), or too many failed sign-ins; Retry-After says how many seconds to wait",
  ],
} as const;
type ProblemStatus = keyof typeof PROBLEMS;
export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});
export const problems = (...statuses: ProblemStatus[]) =>
  Object.fromEntries(statuses.map((s) => [s, { $ref: `#/components/responses/${PROBLEMS[s][0]}` }]));
/** What any signed-in route may answer besides success; every API request is rate limited (http/rate-limit.ts). */
export const errors = problems(400, 401, 403, 404, 409, 413, 422, 429);
export const HEADERS = {
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 1 } },
  "WWW-Authenticate": { description: "The Bearer challenge (RFC 6750)", schema: { type: "string" } },
  RateLimit: {
    description:
      'Tokens left and seconds until full, per policy that counted the request (draft-ietf-httpapi-ratelimit-headers), e.g. `"user";r=1987;t=1`',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'Each counting policy\'s bucket size and fill time in seconds, e.g. `"user";q=2000;w=40`',
    schema: { type: "string" },
  },
};
export const header = (name: keyof typeof HEADERS) => ({ [name]: { $ref: `#/components/headers/${name}` } });
/** components.responses: one per status in PROBLEMS, all with the Problem schema. */
export function problemResponses() {
  const out: Record<string, object> = {};
  for (const [status, [name, description]] of Object.entries(PROBLEMS)) {
    out[name] = {
      ...problemResponse(description),
      ...(status === "401" ? { headers: header("WWW-Authenticate") } : {}),
      ...(status === "429"
        ? { headers: { ...header("Retry-After"), ...header("RateLimit"), ...header("RateLimit-Policy") } }
        : {}),
    };
  }
  return out;
}

/** Tags group operations by the first segments of their path (longest prefix wins). */
export const TAGS: [prefix: string, name: string, description: string][] = [
  ["/api/health", "service", "Health, public settings for the web page and this document; no token needed"],
  ["/api/config", "service", ""],
  ["/api/openapi.json", "service", ""],
  ["/api/auth", "auth", "Sign in (password or OpenID Connect), refresh, sign out, change your password"],
  ["/api/meta/tables", "tables", "Tables and their fields (changes are for admins)"],
  ["/api/meta/views", "views", "Saved views (grid, kanban) and the records and measures through them"],
  [
    "/api/tables",
    "records",
    "Records of a table: list, read, write, history and grouped measures, within the caller's grants and row rules",
  ],
  ["/api/users", "users", "The user directory: colleagues' names for signed-in users"],
  ["/api/notifications", "notifications", "Your notifications: list, unread count, mark read"],
  [
    "/api/feeds",
    "feeds",
    "ICS feeds for calendar apps: your personal feed, calendar views admins publish, and the feed itself (no token: its address is the secret)",
  ],
  [
    "/api/admin",
    "admin",
    "Users, roles, grants, teams, plugins and their jobs, embed tokens, rate limits and the audit log (admin only)",
  ],
  ["/api/actions", "actions", "Named actions of installed plugins"],
  ["/api/embed", "embed", "One view shown through an embed token"],
];
export const tagOf = (path: string) =>
  TAGS.filter(([prefix]) => path === prefix || path.startsWith(`${prefix}/`)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0]![1];
export const tagList = () =>
  TAGS.filter(([, , description]) => description).map(([, name, description]) => ({ name, description }));
/** Sets each operation's tag from its path. */
export function tagged<T extends Record<string, Record<string, unknown>>>(paths: T): T {
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item))
      if (method !== "parameters") (op as { tags?: string[] }).tags = [tagOf(path)];
  }
  return paths;
}
export const session = {
  description: "An access token, a refresh token and the user",
  ...json({
    type: "object",
    properties: {
      token: { type: "string" },
      tokenType: { const: "Bearer" },
      expiresIn: { type: "integer", description: "Access token lifetime in seconds (900)" },
      refreshToken: { type: "string" },
      refreshExpiresIn: { type: "integer" },
      user: { type: "object" },
    },
  }),
};
export const tableParam = {
  name: "table",
  in: "path",
  required: true,
  description: "Table id or API name",
  schema: { type: "string" },
};
export const fieldParam = {
  name: "field",
  in: "path",
  required: true,
  description: "Field id or API name",
  schema: { type: "string" },
};
export const idParam = { name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
export const q = (name: string, description: string, schema: object = { type: "string" }) => ({
  name,
  in: "query",
  description,
  schema,
});
export const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
export const ok = (description: string) => ({ 200: { description }, ...errors });
export const object = (properties: Record<string, object>, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});
export const listParams = [
  q("filter", "JSON filter, see Filter", { type: "string" }),
  q("sort", "Comma-separated field names, - for descending"),
  q("limit", "1-1000, default 50", { type: "integer" }),
  q("cursor", "nextCursor of the previous page"),
  q("fields", "Comma-separated fields to return"),
  q("q", "Search text fields"),
  q("count", "true to include the total", { type: "boolean" }),
];
export const embedSecurity = [{ embed: [] }];
/** Money: integer minor units per ISO 4217 code; an amount past 2^53 is a string of digits so it stays exact. */
export const AMOUNT = { oneOf: [{ type: "integer" }, { type: "string", pattern: "^-?[0-9]+$" }] };
export const MONEY = object({ amount: AMOUNT, currency: { type: "string", pattern: "^[A-Z]{3}$" } }, [
  "amount",
  "currency",
]);
export const MEASURES = {
  type: "object",
  description:
    "By measure name. count: integer. sum/avg/min/max of number, percent (basis points; avg rounded half-even) and rating: a number, null without values; min/max of date, datetime: a string. Currency: one entry per currency code present, in code order, never added across codes; avg entries add the exact sum and count, amount rounded half-even. A sum past 2^63 is refused with 422.",
  additionalProperties: {
    oneOf: [
      { type: "null" },
      { type: "number" },
      { type: "string" },
      {
        type: "array",
        items: {
          ...MONEY,
          properties: { ...MONEY.properties, sum: AMOUNT, count: { type: "integer" } },
          required: ["amount", "currency"],
        },
      },
    ],
  },
};
export const AGGREGATE_RESULT = object(
  {
    groups: {
      type: "array",
      items: object(
        {
          key: {
            type: "object",
            description:
              "Group field name -> value (null for the empty group; a date bucket as its first day YYYY-MM-DD; a checkbox as true/false)",
          },
          values: MEASURES,
        },
        ["key", "values"],
      ),
    },
    truncated: { type: "boolean", description: "More groups exist than `limit`" },
    totals: { ...MEASURES, description: "With totals: true, the measures over every matching record" },
  },
  ["groups", "truncated"],
);
export const PROFILE = {
  name: { type: "string", minLength: 1, maxLength: 200 },
  roles: { type: "array", items: { type: "string" } },
  teams: { type: "array", items: object({ team: { type: "string" }, lead: { type: "boolean" } }, ["team"]) },
  locale: { enum: ["en", "zh-CN"] },
  timeZone: { type: "string", description: "IANA time zone" },
};
export const MEMBERS = {
  type: "array",
  maxItems: 1000,
  items: object({ user: { type: "string", pattern: "^usr_[a-z0-9]{12}$" }, lead: { type: "boolean" } }, ["user"]),
};

/** $refs between our schema files become component refs. */
export function component(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema)
      .replace(
        /"\$ref":"(\w+)\.schema\.json"/g,
        (_, n: string) => `"$ref":"#/components/schemas/${n[0]!.toUpperCase()}${n.slice(1)}"`,
      )
      .replace(/"\$ref":"#"/g, '"$ref":"#/components/schemas/Filter"')
      .replace(/"\$ref":"#\/\$defs\//g, '"$ref":"#/components/schemas/'),
  );
}

/** A calendar's events for a range (worker/calendar): the query and the reply. */
export const eventParams = [
  q("from", "Start of the range, inclusive: an RFC 3339 date-time with a zone, or a date", { type: "string" }),
  q("to", "End of the range, exclusive; at most 372 days after from", { type: "string" }),
  q("limit", "At most this many events (1-5000, default 5000); more sets truncated", {
    type: "integer",
    minimum: 1,
    maximum: 5000,
  }),
];
/** The reply: schemas/calendar-events.schema.json, the shape the Worker and the calendar element type it with. */
export const CALENDAR_EVENTS = ref("CalendarEvents");
