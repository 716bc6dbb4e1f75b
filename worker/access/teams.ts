/**
 * Teams: who works together, so a `team` grant reaches the rows of the user's teammates. A team is
 * referred to by id or by its unique name; membership carries `lead` (the team's manager). Team
 * changes take effect on the next request (loadPrincipal reads memberships each time), so they need
 * no registry version bump.
 */
import { AppError, invalid, notFound, type FieldError } from "../errors";
import { auditRow, checkInput, prepare, type AdminContext } from "../audit/log";
import { runBatch } from "../db/batch";
import { guardChanges } from "../query/write";
import { newId } from "../db/ids";

const NAME = { type: "string", pattern: "^[a-z][a-z0-9_]{0,62}$" };
const LABEL = { type: "string", minLength: 1, maxLength: 200, pattern: "\\S" };
const MEMBER = {
  type: "object",
  additionalProperties: false,
  required: ["user"],
  properties: { user: { type: "string", pattern: "^usr_[a-z0-9]{12}$" }, lead: { type: "boolean" } },
};
export const MEMBERS_SCHEMA = { type: "array", maxItems: 1000, items: MEMBER };
const TEAM_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: { name: NAME, label: LABEL, members: MEMBERS_SCHEMA },
};
const TEAM_PATCH = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: { name: NAME, label: LABEL },
};

interface TeamInput {
  name: string;
  label?: string;
  members?: MemberInput[];
}
interface MemberInput {
  user: string;
  lead?: boolean;
}

export interface TeamView {
  id: string;
  name: string;
  label: string;
  createdAt: string;
  members: { user: string; name: string; email: string; lead: boolean }[];
}

interface TeamRow {
  id: string;
  name: string;
  label: string;
  created_at: string;
}
interface MemberRow {
  team_id: string;
  user_id: string;
  name: string;
  email: string;
  lead: number;
}

async function load(db: D1Database, where: string, ...params: unknown[]): Promise<TeamView[]> {
  const [teams, members] = await db.batch<TeamRow | MemberRow>([
    db.prepare(`SELECT id, name, label, created_at FROM sg_teams ${where} ORDER BY name`).bind(...params),
    db
      .prepare(
        `SELECT m.team_id, m.user_id, u.name, u.email, m.lead FROM sg_team_members m JOIN sg_users u ON u.id = m.user_id
      WHERE m.team_id IN (SELECT id FROM sg_teams ${where}) ORDER BY m.lead DESC, u.name, u.id`,
      )
      .bind(...params),
  ]);
  const rows = members!.results as MemberRow[];
  return (teams!.results as TeamRow[]).map((t) => ({
    id: t.id,
    name: t.name,
    label: t.label,
    createdAt: t.created_at,
    members: rows
      .filter((m) => m.team_id === t.id)
      .map((m) => ({ user: m.user_id, name: m.name, email: m.email, lead: m.lead === 1 })),
  }));
}

export const listTeams = (db: D1Database) => load(db, "");

export async function getTeam(db: D1Database, ref: string): Promise<TeamView> {
  const [team] = await load(db, "WHERE id = ?1 OR name = ?1", ref);
  if (!team) throw notFound(`Team ${JSON.stringify(ref.slice(0, 64))}`, "team");
  return team;
}

/** Team ids for refs (id or name); unknown refs are reported as 422 at `path/<i>/team`. */
export async function resolveTeams(db: D1Database, refs: string[], path: string): Promise<string[]> {
  if (refs.length === 0) return [];
  const { results } = await db
    .prepare(
      "SELECT id, name FROM sg_teams WHERE id IN (SELECT value FROM json_each(?1)) OR name IN (SELECT value FROM json_each(?1))",
    )
    .bind(JSON.stringify(refs))
    .all<{ id: string; name: string }>();
  const errors: FieldError[] = [];
  const ids = refs.map((ref, i) => {
    const hit = results.find((t) => t.id === ref) ?? results.find((t) => t.name === ref);
    if (!hit)
      errors.push({
        field: `${path}/${i}/team`,
        code: "unknown_team",
        message: `No team ${JSON.stringify(ref.slice(0, 64))}`,
      });
    return hit?.id ?? "";
  });
  ids.forEach(
    (id, i) =>
      id &&
      ids.indexOf(id) !== i &&
      errors.push({ field: `${path}/${i}/team`, code: "duplicate", message: "The team appears twice" }),
  );
  if (errors.length) throw invalid(errors, "Unknown or repeated teams");
  return ids;
}

/** Checks members name existing users, each once. */
async function checkMembers(db: D1Database, members: MemberInput[], path: string): Promise<void> {
  const ids = members.map((m) => m.user);
  const { results } = ids.length
    ? await db
        .prepare("SELECT id FROM sg_users WHERE id IN (SELECT value FROM json_each(?1))")
        .bind(JSON.stringify(ids))
        .all<{ id: string }>()
    : { results: [] as { id: string }[] };
  const known = new Set(results.map((r) => r.id));
  const errors: FieldError[] = [];
  ids.forEach((id, i) => {
    const field = [path, i, "user"].filter((p) => p !== "").join("/");
    if (!known.has(id)) errors.push({ field, code: "unknown_user", message: `No user ${id}` });
    else if (ids.indexOf(id) !== i) errors.push({ field, code: "duplicate", message: "The user appears twice" });
  });
  if (errors.length) throw invalid(errors, "Unknown or repeated members");
}

function memberStatements(db: D1Database, teamId: string, members: MemberInput[]): D1PreparedStatement[] {
  const out = [
    // The team may have been deleted since we read it: abort rather than leave members of no team.
    db
      .prepare("INSERT INTO sg_guard (reason) SELECT 'missing' WHERE NOT EXISTS (SELECT 1 FROM sg_teams WHERE id = ?1)")
      .bind(teamId),
    db.prepare("DELETE FROM sg_team_members WHERE team_id = ?1").bind(teamId),
  ];
  if (members.length) {
    out.push(
      db
        .prepare(
          "INSERT INTO sg_team_members (team_id, user_id, lead) SELECT ?1, json_extract(value, '$.user'), json_extract(value, '$.lead') FROM json_each(?2)",
        )
        .bind(teamId, JSON.stringify(members.map((m) => ({ user: m.user, lead: m.lead ? 1 : 0 })))),
    );
  }
  return out;
}

const memberSummary = (members: { user: string; lead?: boolean }[]) =>
  members.map((m) => ({ user: m.user, lead: m.lead === true }));

async function nameTaken(db: D1Database, name: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS x FROM sg_teams WHERE name = ?1").bind(name).first()) !== null;
}

const taken = (name: string) =>
  new AppError("conflict", `A team ${name} already exists`, [
    { field: "name", code: "duplicate", message: `A team ${name} already exists` },
  ]);

export const newTeamId = (): string => newId("team");

export async function createTeam(ctx: AdminContext, body: unknown): Promise<TeamView> {
  const input = checkInput<TeamInput>(TEAM_SCHEMA, body, "The team is invalid");
  const members = input.members ?? [];
  await checkMembers(ctx.db, members, "members");
  if (await nameTaken(ctx.db, input.name)) throw taken(input.name);
  const id = newTeamId();
  const label = input.label ?? input.name;
  await runBatch(
    ctx.db,
    [
      ctx.db
        .prepare("INSERT INTO sg_teams (id, name, label, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(id, input.name, label, ctx.at),
      ...memberStatements(ctx.db, id, members),
      auditRow(ctx, "team.create", { target: id, after: { name: input.name, label, members: memberSummary(members) } }),
    ],
    { what: "Creating the team" },
  );
  return getTeam(ctx.db, id);
}

export async function updateTeam(ctx: AdminContext, ref: string, body: unknown): Promise<TeamView> {
  const input = checkInput<Partial<TeamInput>>(TEAM_PATCH, body, "The team change is invalid");
  const before = await getTeam(ctx.db, ref);
  if (input.name !== undefined && input.name !== before.name && (await nameTaken(ctx.db, input.name)))
    throw taken(input.name);
  const after = { name: input.name ?? before.name, label: input.label ?? before.label };
  await runBatch(
    ctx.db,
    [
      ctx.db
        .prepare("UPDATE sg_teams SET name = ?2, label = ?3 WHERE id = ?1")
        .bind(before.id, after.name, after.label),
      prepare(ctx.db, guardChanges(1, "missing")),
      auditRow(ctx, "team.update", { target: before.id, before: { name: before.name, label: before.label }, after }),
    ],
    { what: "Changing the team" },
  );
  return getTeam(ctx.db, before.id);
}

export async function deleteTeam(ctx: AdminContext, ref: string): Promise<{ deleted: string }> {
  const before = await getTeam(ctx.db, ref);
  await runBatch(
    ctx.db,
    [
      ctx.db.prepare("DELETE FROM sg_team_members WHERE team_id = ?1").bind(before.id),
      ctx.db.prepare("DELETE FROM sg_teams WHERE id = ?1").bind(before.id),
      prepare(ctx.db, guardChanges(1, "missing")),
      auditRow(ctx, "team.delete", {
        target: before.id,
        before: { name: before.name, label: before.label, members: memberSummary(before.members) },
      }),
    ],
    { what: "Deleting the team" },
  );
  return { deleted: before.id };
}

/** Replaces a team's members with `body`: [{user, lead}]. */
export async function setMembers(ctx: AdminContext, ref: string, body: unknown): Promise<TeamView> {
  const members = checkInput<MemberInput[]>(MEMBERS_SCHEMA, body, "The member list is invalid");
  const before = await getTeam(ctx.db, ref);
  await checkMembers(ctx.db, members, "");
  await runBatch(
    ctx.db,
    [
      ...memberStatements(ctx.db, before.id, members),
      auditRow(ctx, "team.members", {
        target: before.id,
        before: memberSummary(before.members),
        after: memberSummary(members),
      }),
    ],
    { what: "Changing the members" },
  );
  return getTeam(ctx.db, before.id);
}
