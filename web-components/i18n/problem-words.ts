/**
 * One wording per problem code the server sends (top-level `code` and field-level `errors[].code`), in
 * the UI's language. field-errors.ts words the codes whose wording takes params; this table words the
 * rest. problem-words.test.ts walks every code in the worker and fails on one without en and zh-CN.
 */
import { msg } from "@lit/localize";

export const PROBLEM_WORDS: Record<string, () => string> = {
  bad_request: () => msg("The request could not be understood", { id: "common.problem.badRequest" }),
  invalid_json: () => msg("The request is not valid JSON", { id: "common.problem.invalidJson" }),
  validation_failed: () => msg("Some values are not valid", { id: "common.problem.validationFailed" }),
  unknown_operator: () => msg("This filter condition is not supported", { id: "common.problem.unknownOperator" }),
  unauthenticated: () => msg("Please sign in", { id: "common.problem.unauthenticated" }),
  forbidden: () => msg("You do not have permission for this", { id: "common.problem.forbidden" }),
  not_found: () => msg("Not found", { id: "common.problem.notFound" }),
  conflict: () => msg("This conflicts with existing data", { id: "common.problem.conflict" }),
  version_conflict: () =>
    msg("Someone else changed this; reload and try again", { id: "common.problem.versionConflict" }),
  payload_too_large: () => msg("Too much data in one request", { id: "common.problem.payloadTooLarge" }),
  too_many_requests: () =>
    msg("Too many requests; wait a moment and try again", { id: "common.problem.tooManyRequests" }),
  unsupported_media_type: () => msg("Unsupported content type", { id: "common.problem.unsupportedMediaType" }),
  internal: () => msg("Something went wrong on the server", { id: "common.problem.internal" }),
  invalid: () => msg("Not valid", { id: "common.problem.invalid" }),
  duplicate: () => msg("Appears twice", { id: "common.problem.duplicate" }),
  unknown_table: () => msg("No such table", { id: "common.problem.unknownTable" }),
  range: () => msg("Out of the allowed range", { id: "common.problem.range" }),
  too_long: () => msg("Too long", { id: "common.problem.tooLong" }),
  stale: () => msg("Changed meanwhile; reload and try again", { id: "common.problem.stale" }),
  unknown_key: () => msg("Unknown key", { id: "common.problem.unknownKey" }),
  unknown_role: () => msg("No such role", { id: "common.problem.unknownRole" }),
  unknown_property: () => msg("Unknown property", { id: "common.problem.unknownProperty" }),
  not_installed: () => msg("Not installed", { id: "common.problem.notInstalled" }),
  invalid_token: () => msg("The link or token is not valid", { id: "common.problem.invalidToken" }),
  unsupported_conversion: () =>
    msg("This type cannot be changed into that one", { id: "common.problem.unsupportedConversion" }),
  unknown_time_zone: () => msg("Unknown time zone", { id: "common.problem.unknownTimeZone" }),
  unknown_team: () => msg("No such team", { id: "common.problem.unknownTeam" }),
  unknown_parameter: () => msg("Unknown parameter", { id: "common.problem.unknownParameter" }),
  unexpected: () => msg("Not expected here", { id: "common.problem.unexpected" }),
  unchanged: () => msg("The new password must differ from the current one", { id: "common.problem.unchanged" }),
  too_simple: () => msg("Use more different characters", { id: "common.problem.tooSimple" }),
  too_short: () => msg("Too short", { id: "common.problem.tooShort" }),
  too_deep: () => msg("Nested too deeply", { id: "common.problem.tooDeep" }),
  too_common: () => msg("Too common; choose something harder to guess", { id: "common.problem.tooCommon" }),
  table_deleted: () => msg("The table was deleted", { id: "common.problem.tableDeleted" }),
  stage_in_use: () => msg("Deals are still in this stage; move them first", { id: "common.problem.stageInUse" }),
  self: () => msg("You cannot do this to yourself", { id: "common.problem.self" }),
  rejected: () => msg("Refused by a rule", { id: "common.problem.rejected" }),
  plugin_table_missing: () => msg("A table the plugin needs is missing", { id: "common.problem.pluginTableMissing" }),
  plugin_field_missing: () => msg("A field the plugin needs is missing", { id: "common.problem.pluginFieldMissing" }),
  overflow: () => msg("The number is too large", { id: "common.problem.overflow" }),
  currency_mismatch: () => msg("The currency does not match", { id: "common.problem.currencyMismatch" }),
  fixed: () => msg("This can no longer change; add a new field instead", { id: "common.problem.fixed" }),
  operator_not_allowed: () =>
    msg("This condition does not apply to this field", { id: "common.problem.operatorNotAllowed" }),
  not_applicable: () => msg("Does not apply here", { id: "common.problem.notApplicable" }),
  needs_plugin: () => msg("Needs a plugin that is not installed", { id: "common.problem.needsPlugin" }),
  name_taken: () => msg("This name is taken", { id: "common.problem.nameTaken" }),
  min_items: () => msg("Add at least one", { id: "common.problem.minItems" }),
  max_items: () => msg("Too many items", { id: "common.problem.maxItems" }),
  kanban_swimlane: () => msg("Swimlanes need another field than the columns", { id: "common.problem.kanbanSwimlane" }),
  kanban_only: () => msg("Only for kanban views", { id: "common.problem.kanbanOnly" }),
  kanban_group: () => msg("A kanban groups by a single choice or user field", { id: "common.problem.kanbanGroup" }),
  incorrect: () => msg("Incorrect", { id: "common.problem.incorrect" }),
  in_use: () => msg("Still in use", { id: "common.problem.inUse" }),
  exists: () => msg("Already exists", { id: "common.problem.exists" }),
  exclusive: () => msg("Give only one of these", { id: "common.problem.exclusive" }),
  downgrade: () => msg("Downgrades are not supported", { id: "common.problem.downgrade" }),
  disabled: () => msg("Disabled", { id: "common.problem.disabled" }),
  dependents: () => msg("Other parts depend on this", { id: "common.problem.dependents" }),
  dependency: () => msg("A needed part is missing or too old", { id: "common.problem.dependency" }),
  contains_email: () => msg("Must not contain your email name", { id: "common.problem.containsEmail" }),
  const: () => msg("Not the expected value", { id: "common.problem.const" }),
  calendar_date: () => msg("A calendar needs a date or date-time field", { id: "common.problem.calendarDate" }),
  additionalProperties: () => msg("Unknown property", { id: "common.problem.additionalProperties" }),
};

/** The wording of a code, or undefined for one this UI does not know. */
export const problemWord = (code: string | undefined): string | undefined =>
  code !== undefined && Object.hasOwn(PROBLEM_WORDS, code) ? PROBLEM_WORDS[code]!() : undefined;
