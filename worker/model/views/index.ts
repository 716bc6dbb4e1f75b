/**
 * Saved views: a table shown a certain way (filter, sort, fields, grouping) to certain roles, split by
 * job: `definition.ts` validates definitions (names in, ids stored), `store.ts` stores them, `open.ts`
 * decides who may open one and reads records through it.
 */
export { viewFieldIds, type CheckedView, type StoredDefinition } from "./definition";
export {
  createView,
  deleteView,
  loadView,
  loadViews,
  updateView,
  upgradeView,
  viewChangedByAdmin,
  viewReplacement,
  type ViewMeta,
} from "./store";
export { aggregateViewRecords, canOpenView, listViewRecords, viewReply } from "./open";
