/** OpenAPI paths: The admin API and plugin actions. */
import { ref, json, errors, tableParam, idParam, q, pathParam, ok, object, PROFILE, MEMBERS } from "./parts";

export const adminPaths = {
  "/api/admin/users": {
    get: {
      operationId: "adminListUsers",
      summary: "List users by email (admin)",
      parameters: [
        q("limit", "1-1000, default 200", { type: "integer" }),
        q("after", "nextAfter of the previous page"),
      ],
      responses: ok("{users, nextAfter}"),
    },
    post: {
      operationId: "adminCreateUser",
      summary: "Create a user; without a password one is generated and shown once (admin)",
      requestBody: json(
        object({ email: { type: "string", format: "email" }, ...PROFILE, password: { type: "string" } }, [
          "email",
          "name",
        ]),
      ),
      responses: { 201: { description: "{user, password?}" }, ...errors },
    },
  },
  "/api/admin/users/{id}": {
    parameters: [pathParam("id", "User id")],
    get: { operationId: "adminGetUser", summary: "A user with roles and teams (admin)", responses: ok("{user}") },
    patch: {
      operationId: "adminUpdateUser",
      summary: "Change profile, roles, teams or disabled; disabling ends the user's sessions (admin)",
      requestBody: json(object({ ...PROFILE, disabled: { type: "boolean" } })),
      responses: ok("{user}"),
    },
  },
  "/api/admin/users/{id}/password": {
    parameters: [pathParam("id", "User id")],
    post: {
      operationId: "adminSetUserPassword",
      summary: "Set a user's password; ends their sessions (admin)",
      requestBody: json(object({ password: { type: "string" } }, ["password"])),
      responses: ok("{user, sessionsEnded}"),
    },
  },
  "/api/admin/roles": {
    get: { operationId: "adminListRoles", summary: "List roles (admin)", responses: ok("{roles}") },
    post: {
      operationId: "adminCreateRole",
      summary: "Create a role (admin)",
      requestBody: json(ref("Role")),
      responses: { 201: { description: "{role}" }, ...errors },
    },
  },
  "/api/admin/roles/{role}": {
    parameters: [pathParam("role", "Role name")],
    get: { operationId: "adminGetRole", summary: "A role (admin)", responses: ok("{role}") },
    patch: { operationId: "adminUpdateRole", summary: "Relabel a role (admin)", responses: ok("{role}") },
    delete: {
      operationId: "adminDeleteRole",
      summary: "Delete a role; its holders lose it (admin; built-in roles stay)",
      responses: ok("{deleted, users}"),
    },
  },
  "/api/admin/roles/{role}/grants": {
    parameters: [pathParam("role", "Role name")],
    get: {
      operationId: "adminListRoleGrants",
      summary: "A role's grants on every table (admin)",
      responses: ok("{grants}"),
    },
  },
  "/api/admin/roles/{role}/grants/{table}": {
    parameters: [pathParam("role", "Role name"), tableParam],
    get: {
      operationId: "adminGetRoleGrant",
      summary: "A role's grant on a table (admin)",
      responses: ok("{grant}"),
    },
    put: {
      operationId: "adminSetRoleGrant",
      summary: "Set a role's grant on a table (admin)",
      requestBody: json(ref("Grant")),
      responses: ok("{grant}"),
    },
    delete: {
      operationId: "adminDeleteRoleGrant",
      summary: "Remove a role's grant on a table (admin)",
      responses: ok("{deleted}"),
    },
  },
  "/api/admin/teams": {
    get: { operationId: "adminListTeams", summary: "List teams (admin)", responses: ok("{teams}") },
    post: {
      operationId: "adminCreateTeam",
      summary: "Create a team, optionally with members (admin)",
      requestBody: json(object({ name: { type: "string" }, label: { type: "string" }, members: MEMBERS }, ["name"])),
      responses: { 201: { description: "{team}" }, ...errors },
    },
  },
  "/api/admin/teams/{team}": {
    parameters: [pathParam("team", "Team id or name")],
    get: { operationId: "adminGetTeam", summary: "A team with its members (admin)", responses: ok("{team}") },
    patch: {
      operationId: "adminUpdateTeam",
      summary: "Rename or relabel a team (admin)",
      requestBody: json(object({ name: { type: "string" }, label: { type: "string" } })),
      responses: ok("{team}"),
    },
    delete: { operationId: "adminDeleteTeam", summary: "Delete a team (admin)", responses: ok("{deleted}") },
  },
  "/api/admin/teams/{team}/members": {
    parameters: [pathParam("team", "Team id or name")],
    put: {
      operationId: "adminSetTeamMembers",
      summary: "Replace a team's members (admin)",
      requestBody: json(MEMBERS),
      responses: ok("{team}"),
    },
  },
  "/api/admin/tables/{table}/owner-field": {
    parameters: [tableParam],
    get: {
      operationId: "adminGetOwnerField",
      summary: "The user field that owns a table's rows for own/team grants (admin)",
      responses: ok("{ownerField}"),
    },
    put: {
      operationId: "adminSetOwnerField",
      summary: "Set the owner field; null falls back to the field named owner, else created_by (admin)",
      requestBody: json(object({ field: { type: ["string", "null"] } }, ["field"])),
      responses: ok("{ownerField}"),
    },
  },
  "/api/admin/audit": {
    get: {
      operationId: "adminSearchAudit",
      summary: "Search the audit log, newest first (admin)",
      parameters: [
        q("user", "Who acted (user id)"),
        q("table", "Table id or API name"),
        q("action", "Action or prefix, e.g. grant."),
        q("target", "User id, role or team the change was about"),
        q("from", "ISO 8601 date or date-time"),
        q("to", "ISO 8601 date or date-time"),
        q("limit", "1-500, default 100", { type: "integer" }),
        q("before", "nextBefore of the previous page", { type: "integer" }),
      ],
      responses: ok("{entries, nextBefore}"),
    },
  },
  "/api/admin/plugins": {
    get: {
      operationId: "adminListPlugins",
      summary:
        "The bundled plugins and what is installed of each: version, enabled, upgrade available, settings (admin)",
      responses: ok("{plugins}"),
    },
  },
  "/api/admin/plugins/{name}": {
    parameters: [pathParam("name", "Plugin name")],
    get: { operationId: "adminGetPlugin", summary: "One plugin (admin)", responses: ok("{plugin}") },
  },
  "/api/admin/plugins/{name}/install": {
    parameters: [pathParam("name", "Plugin name")],
    post: {
      operationId: "adminInstallPlugin",
      summary:
        "Install the plugin, or upgrade it to the bundled version: only what is missing is created (tables, fields, views, grants); a view the plugin made that no admin changed takes the new version's definition (report.updated.views); admins' changes stay, nothing is dropped; running it twice changes nothing (admin; no body)",
      responses: ok("{report: {from, to, changed, created, updated, skipped}}"),
    },
  },
  "/api/admin/plugins/{name}/enable": {
    parameters: [pathParam("name", "Plugin name")],
    post: {
      operationId: "adminEnablePlugin",
      summary: "Enable a disabled plugin: its tables come back with their data (admin; no body)",
      responses: ok("{plugin, enabled, changed}"),
    },
  },
  "/api/admin/plugins/{name}/disable": {
    parameters: [pathParam("name", "Plugin name")],
    post: {
      operationId: "adminDisablePlugin",
      summary:
        "Disable a plugin: its tables are hidden, their data kept; its hooks, actions and jobs stop; refused while an enabled plugin depends on it (admin; no body)",
      responses: ok("{plugin, enabled, changed}"),
    },
  },
  "/api/admin/plugins/{name}/settings": {
    parameters: [pathParam("name", "Plugin name")],
    put: {
      operationId: "adminSetPluginSettings",
      summary: "Replace the plugin's settings, checked against its manifest's settingsSchema (admin)",
      requestBody: json({ type: "object" }),
      responses: ok("{plugin}"),
    },
  },
  "/api/actions/{plugin}/{action}": {
    parameters: [pathParam("plugin", "Plugin name"), pathParam("action", "Action name")],
    post: {
      operationId: "runPluginAction",
      summary:
        "Run a plugin action; the body is checked against the action's schema, and the action checks the caller's rights on what it touches. customers: find-duplicates {name?, phone?, email?, id?}, create {fields | records, allowDuplicate?} (a create through the records API answers 409 with `duplicates` when a customer with the same normalised name, phone or email exists), merge {keep, merge: [ids], version?}, apply-grade-rule {} (admin), overview {id}; pipeline: stage-report {pipeline?, since?}; sales: quote-to-order {quote}, quote-revise {quote}, confirm-order {order, version?} (a draft order confirmed by the caller's own update: with inventory, its stock reserved in the same batch or 409 insufficient_stock), purchase-history {customer, limit?, cursor?} (see its own path), company {} (the company name and logo for printed quotes and orders, for anyone who may read quotes or orders)",
      requestBody: json({ type: "object" }),
      responses: ok("The action's result"),
    },
  },
  "/api/admin/settings/rate-limits": {
    get: {
      operationId: "adminGetRateLimits",
      summary: "The rate limits in force and the defaults (admin)",
      responses: {
        200: {
          description: "{rateLimits, defaults}",
          ...json(object({ rateLimits: ref("RateLimits"), defaults: ref("RateLimits") }, ["rateLimits", "defaults"])),
        },
        ...errors,
      },
    },
    put: {
      operationId: "adminSetRateLimits",
      summary:
        "Replace the rate limits, audited; in force at once in the isolate that answers, within 30 seconds everywhere (admin; body up to 4 KB)",
      requestBody: json(ref("RateLimits")),
      responses: {
        200: {
          description: "{rateLimits, defaults}",
          ...json(object({ rateLimits: ref("RateLimits"), defaults: ref("RateLimits") }, ["rateLimits", "defaults"])),
        },
        ...errors,
      },
    },
  },
  "/api/admin/tables/{table}/records/{id}/restore": {
    parameters: [tableParam, idParam],
    post: {
      operationId: "adminRestoreRecord",
      summary: "Restore a deleted record from its audit history (admin)",
      responses: ok("{record}"),
    },
  },
  "/api/admin/embed-tokens": {
    get: {
      operationId: "adminListEmbedTokens",
      summary: "List embed tokens, newest first, never with the token strings (admin)",
      parameters: [
        q("view", "Only this view's tokens (id or name)"),
        q("limit", "1-1000, default 200", { type: "integer" }),
      ],
      responses: {
        200: {
          description: "{embeds}",
          ...json({ type: "object", properties: { embeds: { type: "array", items: ref("EmbedToken") } } }),
        },
        ...errors,
      },
    },
    post: {
      operationId: "adminCreateEmbedToken",
      summary: "Mint an embed token for one view; the token is in this reply only (admin)",
      requestBody: json(
        object(
          {
            view: { type: "string", description: "View id or name" },
            mode: { enum: ["read", "edit"] },
            filter: ref("Filter"),
            expiresAt: {
              type: "string",
              format: "date-time",
              description: "At most 365 days ahead; or send expiresInDays",
            },
            expiresInDays: { type: "integer", minimum: 1, maximum: 365 },
            label: { type: "string", maxLength: 200 },
          },
          ["view", "mode"],
        ),
      ),
      responses: {
        201: {
          description: "{token, embed}",
          ...json({ type: "object", properties: { token: { type: "string" }, embed: ref("EmbedToken") } }),
        },
        ...errors,
      },
    },
  },
  "/api/admin/embed-tokens/{id}": {
    parameters: [pathParam("id", "Embed token id (emb_...)")],
    delete: {
      operationId: "adminRevokeEmbedToken",
      summary: "Revoke an embed token at once (admin; revoking twice is harmless)",
      responses: {
        200: { description: "{embed}", ...json({ type: "object", properties: { embed: ref("EmbedToken") } }) },
        ...errors,
      },
    },
  },
};
