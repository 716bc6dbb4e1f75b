/**
 * <sg-admin-people>: users (invite, set password, disable, roles, team), teams (leads and members)
 * and custom roles.
 */
import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import { labelOf } from "../i18n/index";
import type { AdminApi, AdminUser, Role, Team } from "./admin-api";
import { Problems, banner, fieldError, invalid } from "./problems";
import { adminStyles } from "./styles";
import { emit } from "../events";
import { closeIcon } from "../icons";

type Tab = "users" | "teams" | "roles";

interface UserDraft {
  email: string;
  name: string;
  password: string;
  roles: string[];
  team: string;
  lead: boolean;
  locale: string;
  timeZone: string;
}
const emptyUser = (): UserDraft => ({
  email: "",
  name: "",
  password: "",
  roles: [],
  team: "",
  lead: false,
  locale: "zh-CN",
  timeZone: "Asia/Shanghai",
});

@localized()
export class SgAdminPeople extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;
  @state() private tab: Tab = "users";
  @state() private users: AdminUser[] = [];
  @state() private teams: Team[] = [];
  @state() private roles: Role[] = [];
  @state() private problems = Problems.none;
  @state() private newUser = emptyUser();
  @state() private generated: { email: string; password: string } | null = null;
  @state() private editingUser: string | null = null;
  @state() private passwordFor: Record<string, string> = {};
  @state() private newTeam = { name: "", label: "" };
  @state() private newRole = { name: "", label: "", description: "" };

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.users, this.teams, this.roles] = await Promise.all([
        this.admin.users(),
        this.admin.teams(),
        this.admin.roles(),
      ]);
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  /** Runs a change; its problems land in the banner and beside the named inputs. */
  private async run(action: () => Promise<unknown>, done?: string): Promise<boolean> {
    this.problems = Problems.none;
    try {
      await action();
      await this.load();
      if (done) emit(this, "sg-notify", { kind: "info", message: done });
      return true;
    } catch (err) {
      this.problems = Problems.from(err);
      return false;
    }
  }

  override render() {
    const tabs: [Tab, string][] = [
      ["users", msg("Users", { id: "admin.users" })],
      ["teams", msg("Teams", { id: "admin.teams" })],
      ["roles", msg("Roles", { id: "admin.roles" })],
    ];
    return html`<div class="stack">
      <div class="row" role="group" aria-label=${msg("People", { id: "admin.people" })}>
        ${tabs.map(
          ([t, l]) => html`<button type="button" data-people-tab=${t} aria-pressed=${this.tab === t ? "true" : "false"}
          class=${this.tab === t ? "primary" : ""} @click=${() => {
            this.tab = t;
            this.problems = Problems.none;
          }}>${l}</button>`,
        )}
      </div>
      ${this.tab === "users" ? this.renderUsers() : this.tab === "teams" ? this.renderTeams() : this.renderRoles()}
    </div>`;
  }

  private roleBoxes(selected: string[], onChange: (roles: string[]) => void, path: string) {
    return html`<span class="row" role="group" aria-label=${msg("Roles", { id: "admin.roles" })}>
      ${this.roles.map(
        (r) => html`<label><input type="checkbox" name="role" value=${r.name} .checked=${selected.includes(r.name)}
        @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked ? [...selected, r.name] : selected.filter((x) => x !== r.name))}>${labelOf(r)}</label>`,
      )}
      ${fieldError(this.problems, path)}</span>`;
  }

  private renderUsers() {
    const d = this.newUser;
    const p = this.problems;
    const setD = (patch: Partial<UserDraft>) => {
      this.newUser = { ...d, ...patch };
    };
    return html`
      <form class="stack panel" data-role="new-user" aria-label=${msg("Invite a user", { id: "admin.user.new" })} @submit=${async (
        e: Event,
      ) => {
        e.preventDefault();
        let reply: { password?: string } = {};
        const ok = await this.run(
          async () => {
            reply = await this.admin.createUser({
              email: d.email.trim(),
              name: d.name.trim(),
              roles: d.roles,
              locale: d.locale,
              timeZone: d.timeZone,
              ...(d.password ? { password: d.password } : {}),
              ...(d.team ? { teams: [{ team: d.team, lead: d.lead }] } : {}),
            });
          },
          msg("User created", { id: "admin.user.created" }),
        );
        if (ok) {
          this.generated = reply.password ? { email: d.email.trim(), password: reply.password } : null;
          this.newUser = emptyUser();
        }
      }}>
        <h3>${msg("Invite a user", { id: "admin.user.new" })}</h3>
        ${banner(p, ["email", "name", "password", "roles", "teams", "locale", "timeZone", "disabled"])}
        <div class="row">
          <label class="field"><span>${msg("Email", { id: "admin.user.email" })}</span><input name="email" type="email" required maxlength="320" .value=${d.email}
            aria-invalid=${invalid(p, "email")} @input=${(e: Event) => setD({ email: (e.target as HTMLInputElement).value })}>${fieldError(p, "email")}</label>
          <label class="field"><span>${msg("Name", { id: "admin.user.name" })}</span><input name="name" required maxlength="200" .value=${d.name}
            aria-invalid=${invalid(p, "name")} @input=${(e: Event) => setD({ name: (e.target as HTMLInputElement).value })}>${fieldError(p, "name")}</label>
          <label class="field"><span>${msg("Password (empty: generate one)", { id: "admin.user.password" })}</span><input name="password" type="password" autocomplete="new-password" .value=${d.password}
            aria-invalid=${invalid(p, "password")} @input=${(e: Event) => setD({ password: (e.target as HTMLInputElement).value })}>${fieldError(p, "password")}</label>
        </div>
        <div class="row">${this.roleBoxes(d.roles, (roles) => setD({ roles }), "roles")}</div>
        <div class="row">
          <label class="field"><span>${msg("Team", { id: "admin.user.team" })}</span><select name="team" @change=${(e: Event) => setD({ team: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${!d.team}>—</option>${this.teams.map((t) => html`<option value=${t.id} ?selected=${t.id === d.team}>${t.label}</option>`)}</select>${fieldError(p, "teams")}</label>
          <label><input type="checkbox" name="lead" .checked=${d.lead} @change=${(e: Event) => setD({ lead: (e.target as HTMLInputElement).checked })}>${msg("Team lead", { id: "admin.user.lead" })}</label>
          <label class="field"><span>${msg("Language", { id: "admin.user.locale" })}</span><select name="locale" @change=${(e: Event) => setD({ locale: (e.target as HTMLSelectElement).value })}>
            <option value="zh-CN" ?selected=${d.locale === "zh-CN"}>简体中文</option><option value="en" ?selected=${d.locale === "en"}>English</option></select></label>
          <label class="field"><span>${msg("Time zone", { id: "admin.user.timeZone" })}</span><input name="time-zone" .value=${d.timeZone} aria-invalid=${invalid(p, "timeZone")}
            @input=${(e: Event) => setD({ timeZone: (e.target as HTMLInputElement).value })}>${fieldError(p, "timeZone")}</label>
        </div>
        <button class="primary" type="submit" data-role="create-user">${msg("Create user", { id: "admin.user.create" })}</button>
        ${this.generated ? html`<p role="status" data-role="generated-password">${msg(str`Password for ${this.generated.email} (shown once):`, { id: "admin.user.generated" })} <code>${this.generated.password}</code></p>` : nothing}
      </form>
      <table class="grid" data-role="user-list">
        <thead><tr><th>${msg("Name", { id: "admin.user.name" })}</th><th>${msg("Email", { id: "admin.user.email" })}</th><th>${msg("Roles", { id: "admin.roles" })}</th>
          <th>${msg("Teams", { id: "admin.teams" })}</th><th>${msg("Status", { id: "admin.user.status" })}</th><th></th></tr></thead>
        <tbody>${this.users.map((u) => this.renderUserRow(u))}</tbody>
      </table>`;
  }

  private renderUserRow(u: AdminUser) {
    const editing = this.editingUser === u.id;
    return html`<tr data-user=${u.email}>
      <td>${u.name}</td><td>${u.email}</td>
      <td>${
        editing
          ? this.roleBoxes(
              u.roles,
              (roles) =>
                this.run(
                  () => this.admin.updateUser(u.id, { roles }),
                  msg("Roles saved", { id: "admin.user.rolesSaved" }),
                ),
              "roles",
            )
          : u.roles.map(
              (r) => html`<span class="tag">${labelOf(this.roles.find((x) => x.name === r) ?? { name: r })}</span> `,
            )
      }</td>
      <td>${
        editing
          ? html`<select aria-label=${msg("Team", { id: "admin.user.team" })} @change=${(e: Event) => {
              const team = (e.target as HTMLSelectElement).value;
              void this.run(() =>
                this.admin.updateUser(u.id, {
                  teams: team ? [{ team, lead: u.teams.find((t) => t.team === team)?.lead ?? false }] : [],
                }),
              );
            }}><option value="" ?selected=${u.teams.length === 0}>—</option>${this.teams.map((t) => html`<option value=${t.id} ?selected=${u.teams.some((m) => m.team === t.id)}>${t.label}</option>`)}</select>`
          : u.teams.map((t) => html`<span class="tag">${t.name}${t.lead ? " ★" : ""}</span> `)
      }</td>
      <td>${u.disabled ? msg("disabled", { id: "admin.user.disabled" }) : msg("active", { id: "admin.user.active" })}</td>
      <td class="stack">
        <div class="row">
          <button type="button" data-role="edit-user" @click=${() => {
            this.editingUser = editing ? null : u.id;
          }}>${editing ? msg("Done", { id: "admin.done" }) : msg("Edit", { id: "admin.edit" })}</button>
          <button type="button" data-role="toggle-disabled" class=${u.disabled ? "" : "danger"}
            @click=${() => this.run(() => this.admin.updateUser(u.id, { disabled: !u.disabled }))}>${u.disabled ? msg("Enable", { id: "admin.user.enable" }) : msg("Disable", { id: "admin.user.disable" })}</button>
        </div>
        ${
          editing
            ? html`<div class="row">
          <input type="password" autocomplete="new-password" aria-label=${msg("New password", { id: "admin.user.newPassword" })} .value=${this.passwordFor[u.id] ?? ""}
            @input=${(e: Event) => {
              this.passwordFor = { ...this.passwordFor, [u.id]: (e.target as HTMLInputElement).value };
            }}>
          <button type="button" data-role="set-password" @click=${async () => {
            if (
              await this.run(
                () => this.admin.setPassword(u.id, this.passwordFor[u.id] ?? ""),
                msg("Password set; the user's sessions were ended.", { id: "admin.user.passwordSet" }),
              )
            )
              this.passwordFor = { ...this.passwordFor, [u.id]: "" };
          }}>${msg("Set password", { id: "admin.user.setPassword" })}</button>
          ${fieldError(this.problems, "password")}</div>`
            : nothing
        }
      </td></tr>`;
  }

  private renderTeams() {
    const p = this.problems;
    const d = this.newTeam;
    return html`
      ${banner(p, ["name", "label"])}
      <form class="row panel" data-role="new-team" @submit=${async (e: Event) => {
        e.preventDefault();
        if (
          await this.run(
            () => this.admin.createTeam({ name: d.name.trim(), ...(d.label.trim() ? { label: d.label.trim() } : {}) }),
            msg("Team created", { id: "admin.team.created" }),
          )
        )
          this.newTeam = { name: "", label: "" };
      }}>
        <label class="field"><span>${msg("Team label", { id: "admin.team.label" })}</span><input name="label" maxlength="200" .value=${d.label} @input=${(
          e: Event,
        ) => {
          this.newTeam = { ...d, label: (e.target as HTMLInputElement).value };
        }}>${fieldError(p, "label")}</label>
        <label class="field"><span>${msg("API name", { id: "admin.apiName" })}</span><input name="name" required pattern="[a-z][a-z0-9_]{0,62}" .value=${d.name} aria-invalid=${invalid(p, "name")}
          @input=${(e: Event) => {
            this.newTeam = { ...d, name: (e.target as HTMLInputElement).value };
          }}>${fieldError(p, "name")}</label>
        <button class="primary" type="submit" data-role="create-team">${msg("Create team", { id: "admin.team.create" })}</button>
      </form>
      ${this.teams.map((t) => this.renderTeam(t))}`;
  }

  private renderTeam(t: Team) {
    const members = t.members.map((m) => ({ user: m.user, lead: m.lead }));
    const save = (next: { user: string; lead: boolean }[]) =>
      this.run(() => this.admin.setMembers(t.id, next), msg("Members saved", { id: "admin.team.membersSaved" }));
    const outside = this.users.filter((u) => !t.members.some((m) => m.user === u.id));
    return html`<section class="panel stack" data-team=${t.name}>
      <div class="row"><h3>${t.label} <code class="muted">${t.name}</code></h3>
        <button type="button" class="danger" data-role="delete-team" @click=${() => this.run(() => this.admin.deleteTeam(t.id))}>${msg("Delete team", { id: "admin.team.delete" })}</button></div>
      <ul class="plain">${t.members.map(
        (m) => html`<li class="item" data-member=${m.email}>${m.name} <span class="muted">${m.email}</span>
        <label><input type="checkbox" .checked=${m.lead} @change=${(e: Event) => save(members.map((x) => (x.user === m.user ? { ...x, lead: (e.target as HTMLInputElement).checked } : x)))}>${msg("lead", { id: "admin.team.lead" })}</label>
        <button type="button" aria-label=${msg(str`Remove ${m.name} from the team`, { id: "admin.team.removeMember" })} @click=${() => save(members.filter((x) => x.user !== m.user))}>${closeIcon}</button></li>`,
      )}</ul>
      ${
        outside.length
          ? html`<div class="row"><select aria-label=${msg("Add a member", { id: "admin.team.addMember" })} data-role="add-member"
          @change=${(e: Event) => {
            const user = (e.target as HTMLSelectElement).value;
            if (user) void save([...members, { user, lead: false }]);
          }}>
          <option value="">+ ${msg("Add a member", { id: "admin.team.addMember" })}</option>${outside.map((u) => html`<option value=${u.id}>${u.name} (${u.email})</option>`)}</select></div>`
          : nothing
      }
    </section>`;
  }

  private renderRoles() {
    const p = this.problems;
    const d = this.newRole;
    return html`
      ${banner(p, ["name", "label", "description"])}
      <form class="row panel" data-role="new-role" @submit=${async (e: Event) => {
        e.preventDefault();
        if (
          await this.run(
            () =>
              this.admin.createRole({
                name: d.name.trim(),
                ...(d.label.trim() ? { label: d.label.trim() } : {}),
                ...(d.description ? { description: d.description } : {}),
              }),
            msg("Role created", { id: "admin.role.created" }),
          )
        ) {
          this.newRole = { name: "", label: "", description: "" };
        }
      }}>
        <label class="field"><span>${msg("Label", { id: "admin.label" })}</span><input name="label" maxlength="200" .value=${d.label} @input=${(
          e: Event,
        ) => {
          this.newRole = { ...d, label: (e.target as HTMLInputElement).value };
        }}>${fieldError(p, "label")}</label>
        <label class="field"><span>${msg("API name", { id: "admin.apiName" })}</span><input name="name" required pattern="[a-z][a-z0-9_]{0,62}" .value=${d.name} aria-invalid=${invalid(p, "name")}
          @input=${(e: Event) => {
            this.newRole = { ...d, name: (e.target as HTMLInputElement).value };
          }}>${fieldError(p, "name")}</label>
        <label class="field"><span>${msg("Description", { id: "admin.description" })}</span><input name="description" maxlength="2000" .value=${d.description} @input=${(
          e: Event,
        ) => {
          this.newRole = { ...d, description: (e.target as HTMLInputElement).value };
        }}></label>
        <button class="primary" type="submit" data-role="create-role">${msg("Create role", { id: "admin.role.create" })}</button>
      </form>
      <table class="grid" data-role="role-list">
        <thead><tr><th>${msg("Role", { id: "admin.role" })}</th><th>${msg("Users", { id: "admin.users" })}</th><th></th></tr></thead>
        <tbody>${this.roles.map(
          (r) => html`<tr data-role-name=${r.name}>
          <td><input aria-label=${msg(str`Label of ${r.name}`, { id: "admin.role.labelOf" })} .value=${r.label}
            @change=${(e: Event) => this.run(() => this.admin.updateRole(r.name, { label: (e.target as HTMLInputElement).value }))}> <code class="muted">${r.name}</code>
            ${r.builtin ? html`<span class="tag">${msg("built-in", { id: "admin.role.builtin" })}</span>` : nothing}</td>
          <td>${r.users}</td>
          <td>${r.builtin ? nothing : html`<button type="button" class="danger" data-role="delete-role" @click=${() => this.run(() => this.admin.deleteRole(r.name))}>${msg("Delete", { id: "admin.delete" })}</button>`}</td>
        </tr>`,
        )}</tbody>
      </table>`;
  }
}

if (!customElements.get("sg-admin-people")) customElements.define("sg-admin-people", SgAdminPeople);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-people": SgAdminPeople;
  }
}
