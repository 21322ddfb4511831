/** The schema as data: snapshot, diff, words, renderings, the recorded snapshot and drift. */
export * from "./model";
export { readSnapshot, type ReadSnapshotOptions } from "./read";
export { diffSnapshots, type SchemaChange, type SchemaDiff, type AttributeChange, type ObjectKind } from "./diff";
export { changeDetails, changeLine, objectLabel, columnText } from "./describe";
export {
  DIFF_FORMATS,
  renderDiff,
  renderDiffJson,
  renderDiffMarkdown,
  renderDiffText,
  renderErFragment,
  type DiffFormat,
} from "./render";
export { recordSnapshot, readRecordedSnapshot, SNAPSHOT_TABLE, type RecordedSnapshot } from "./store";
export { schemaDrift, driftLines, type SchemaDriftReport } from "./drift";
