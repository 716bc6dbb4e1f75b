/**
 * A pipeline's stages, stored as JSON in its `stages` field: checked here (shape, unique names, at
 * least one open, one won and one lost stage), so an admin adds a pipeline without code and a bad
 * list is refused naming the stage at fault.
 */
import { multiplyMoney, validate, type FieldError } from "../../worker/plugin-sdk";

export type StageKind = "open" | "won" | "lost";

export interface Stage {
  name: string;
  labels?: { en?: string; "zh-CN"?: string };
  /** Default probability in basis points (10000 = 100%). */
  probability: number;
  kind: StageKind;
}

const STAGES_SCHEMA = {
  type: "array",
  minItems: 3,
  maxItems: 30,
  items: {
    type: "object",
    additionalProperties: false,
    required: ["name", "probability", "kind"],
    properties: {
      name: { type: "string", pattern: "^[a-z][a-z0-9_]{0,62}$" },
      labels: {
        type: "object",
        additionalProperties: false,
        properties: { en: { type: "string", maxLength: 100 }, "zh-CN": { type: "string", maxLength: 100 } },
      },
      probability: { type: "integer", minimum: 0, maximum: 10000 },
      kind: { enum: ["open", "won", "lost"] },
    },
  },
};

/** Parses a stages value; `path` prefixes the problems (e.g. `fields/stages`). */
export function parseStages(raw: unknown, path: string): { stages: Stage[] | null; errors: FieldError[] } {
  if (typeof raw !== "string" || raw.trim() === "")
    return { stages: null, errors: [{ field: path, code: "required", message: "A pipeline lists its stages" }] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {
      stages: null,
      errors: [
        { field: path, code: "invalid_json", message: "stages is a JSON array of {name, labels, probability, kind}" },
      ],
    };
  }
  const errors = validate(STAGES_SCHEMA, parsed, path);
  if (errors.length) return { stages: null, errors };
  const stages = parsed as Stage[];
  const seen = new Set<string>();
  stages.forEach((s, i) => {
    if (seen.has(s.name))
      errors.push({ field: `${path}/${i}/name`, code: "duplicate", message: `Stage ${s.name} appears twice` });
    seen.add(s.name);
  });
  for (const kind of ["open", "won", "lost"] as const) {
    if (!stages.some((s) => s.kind === kind))
      errors.push({ field: path, code: `no_${kind}_stage`, message: `A pipeline needs at least one ${kind} stage` });
  }
  return { stages: errors.length ? null : stages, errors };
}

/** The stages every new workspace starts with (the scope document's 初步接触 ... 输单). */
export const STANDARD_STAGES: Stage[] = [
  { name: "first_contact", labels: { en: "First contact", "zh-CN": "初步接触" }, probability: 1000, kind: "open" },
  {
    name: "needs_discussion",
    labels: { en: "Needs discussion", "zh-CN": "需求沟通" },
    probability: 2000,
    kind: "open",
  },
  { name: "quote", labels: { en: "Quote", "zh-CN": "报价" }, probability: 4000, kind: "open" },
  { name: "negotiation", labels: { en: "Negotiation", "zh-CN": "谈判" }, probability: 6000, kind: "open" },
  { name: "won", labels: { en: "Won", "zh-CN": "赢单" }, probability: 10000, kind: "won" },
  { name: "lost", labels: { en: "Lost", "zh-CN": "输单" }, probability: 0, kind: "lost" },
];

/** amount x probability (basis points), rounded once half away from zero: the SDK's exact money product. */
export function weighted(amount: number, basisPoints: number): number {
  return multiplyMoney(amount, 1, basisPoints);
}
