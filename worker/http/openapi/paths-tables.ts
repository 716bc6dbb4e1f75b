/** OpenAPI paths: Tables, fields, records, views and aggregates. */
import {
  ref,
  json,
  errors,
  tableParam,
  fieldParam,
  idParam,
  q,
  pathParam,
  ok,
  listParams,
  eventParams,
  CALENDAR_EVENTS,
} from "./parts";

export const tablesPaths = {
  "/api/meta/tables": {
    get: {
      operationId: "listTables",
      summary: "List tables",
      responses: { 200: { description: "Tables with their fields" }, ...errors },
    },
    post: {
      operationId: "createTable",
      summary: "Create a table (admin)",
      requestBody: json(ref("Table")),
      responses: { 201: { description: "Created" }, ...errors },
    },
  },
  "/api/meta/tables/{table}": {
    parameters: [tableParam],
    get: {
      operationId: "getTable",
      summary: "A table with its fields",
      responses: { 200: { description: "The table" }, ...errors },
    },
    patch: {
      operationId: "updateTable",
      summary: "Rename or relabel a table (admin)",
      responses: { 200: { description: "The table" }, ...errors },
    },
    delete: {
      operationId: "deleteTable",
      summary: "Soft-delete a table; ?purge=true drops it (admin)",
      parameters: [q("purge", "true to drop for good", { type: "boolean" })],
      responses: { 200: { description: "Deleted" }, ...errors },
    },
  },
  "/api/meta/tables/{table}/schema": {
    parameters: [tableParam],
    get: {
      operationId: "getTableRecordSchema",
      summary: "The JSON Schema of a record's fields as the caller may write them",
      responses: ok("{schema}"),
    },
  },
  "/api/meta/tables/{table}/restore": {
    parameters: [tableParam],
    post: {
      operationId: "restoreTable",
      summary: "Restore a soft-deleted table (admin)",
      responses: { 200: { description: "Restored" }, ...errors },
    },
  },
  "/api/meta/tables/{table}/fields": {
    parameters: [tableParam],
    post: {
      operationId: "createField",
      summary: "Add a field (admin)",
      requestBody: json(ref("Field")),
      responses: { 201: { description: "Created" }, ...errors },
    },
  },
  "/api/meta/tables/{table}/fields/{field}": {
    parameters: [tableParam, fieldParam],
    patch: {
      operationId: "updateField",
      summary: "Change a field; a type change reports values that did not convert (admin)",
      responses: { 200: { description: "The field and the conversion report" }, ...errors },
    },
    delete: {
      operationId: "deleteField",
      summary: "Soft-delete a field; ?purge=true drops its column (admin)",
      responses: { 200: { description: "Deleted" }, ...errors },
    },
  },
  "/api/meta/tables/{table}/fields/{field}/restore": {
    parameters: [tableParam, fieldParam],
    post: {
      operationId: "restoreField",
      summary: "Restore a soft-deleted field (admin)",
      responses: { 200: { description: "Restored" }, ...errors },
    },
  },
  "/api/tables/{table}/records": {
    parameters: [tableParam],
    get: {
      operationId: "listRecords",
      summary: "List records (keyset pagination)",
      parameters: [
        q("filter", 'JSON filter, see Filter; `{"field": "id", "op": "in", "value": [1, 2]}` selects records by id', {
          type: "string",
        }),
        q("sort", "Comma-separated field names, - for descending"),
        q("limit", "1-1000, default 50", { type: "integer" }),
        q("cursor", "nextCursor of the previous page"),
        q("fields", "Comma-separated fields to return"),
        q("q", "Search text fields"),
        q("count", "true to include the total", { type: "boolean" }),
        q("expand", "Link fields to expand to {id, primary}"),
      ],
      responses: { 200: { description: "{records, nextCursor, total?}" }, ...errors },
    },
    post: {
      operationId: "createRecords",
      summary: "Create one ({fields}) or many ({records: [{fields}]}, up to 1000)",
      responses: { 201: { description: "Created records" }, ...errors },
    },
    patch: {
      operationId: "updateRecords",
      summary: "Update many ({records: [{id, version, fields}]}); all or none",
      responses: { 200: { description: "Updated records" }, ...errors },
    },
    delete: {
      operationId: "deleteRecords",
      summary: "Delete many ({records: [{id, version?}]}); all or none",
      responses: { 200: { description: "Deleted ids" }, ...errors },
    },
  },
  "/api/tables/{table}/records/{id}": {
    parameters: [tableParam, idParam],
    get: {
      operationId: "getRecord",
      summary: "One record",
      responses: { 200: { description: "{record}", ...json(ref("Record")) }, ...errors },
    },
    patch: {
      operationId: "updateRecord",
      summary: "Update one ({version, fields}); 409 with the current record when stale",
      responses: { 200: { description: "{record}" }, ...errors },
    },
    delete: {
      operationId: "deleteRecord",
      summary: "Delete one (?version= to guard)",
      responses: { 200: { description: "Deleted" }, ...errors },
    },
  },
  "/api/tables/{table}/records/{id}/history": {
    parameters: [tableParam, idParam],
    get: {
      operationId: "getRecordHistory",
      summary: "Changes of a record, newest first",
      responses: { 200: { description: "{history, names: {users, links}, nextBefore}" }, ...errors },
    },
  },
  "/api/tables/{table}/aggregate": {
    parameters: [tableParam],
    post: {
      operationId: "aggregateRecords",
      summary:
        "Grouped measures (count, sum, avg, min, max) over the records you may read: your row rule AND filter AND q; hidden fields are unknown (400); body up to 64 KB",
      requestBody: json(ref("Aggregate")),
      responses: {
        200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) },
        ...errors,
      },
    },
  },
  "/api/meta/views/{id}/aggregate": {
    parameters: [pathParam("id", "View id or name")],
    post: {
      operationId: "aggregateViewRecords",
      summary:
        "Grouped measures through a view (e.g. a kanban board's column counts and sums): its filter AND yours, over its fields only",
      requestBody: json(ref("Aggregate")),
      responses: {
        200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) },
        ...errors,
      },
    },
  },
  "/api/meta/views/{id}/events": {
    parameters: [pathParam("id", "View id or name")],
    get: {
      operationId: "listViewEvents",
      summary:
        "A calendar view's events: records whose start (or span) reaches [from, to), under your access; recurring records expanded by their plugin",
      parameters: eventParams,
      responses: { 200: { description: "{events, truncated}", ...json(CALENDAR_EVENTS) }, ...errors },
    },
  },
  "/api/meta/views": {
    get: {
      operationId: "listViews",
      summary: "Views the caller may open",
      parameters: [q("table", "Only views of this table (id or API name)")],
      responses: ok("{views}"),
    },
    post: {
      operationId: "createView",
      summary: "Create a view (admin)",
      requestBody: json(ref("View")),
      responses: { 201: { description: "{view}" }, ...errors },
    },
  },
  "/api/meta/views/{id}": {
    parameters: [pathParam("id", "View id, or a name that only one view has")],
    get: {
      operationId: "getView",
      summary: "A view (404 when the caller may not open it)",
      responses: ok("{view}"),
    },
    patch: {
      operationId: "updateView",
      summary: "Change a view: {version, ...keys}; null removes a key (admin)",
      responses: ok("{view}"),
    },
    delete: {
      operationId: "deleteView",
      summary: "Delete a view and revoke its embed tokens (admin)",
      parameters: [q("version", "The version read", { type: "integer" })],
      responses: ok("{deleted, id}"),
    },
  },
  "/api/meta/views/{id}/records": {
    parameters: [pathParam("id", "View id or name")],
    get: {
      operationId: "listViewRecords",
      summary: "Records through a view: its filter AND yours, its columns and sort unless you narrow them",
      parameters: [
        ...listParams,
        q("offset", "Rows to skip instead of a cursor", { type: "integer" }),
        q(
          "expand",
          "Link fields the view shows to expand to {id, primary}; a linked row you cannot read comes back as {id}",
        ),
      ],
      responses: ok("{records, nextCursor, total?}"),
    },
  },
};
