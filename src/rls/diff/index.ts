export { diffRls } from './diff-rls.js';
export type { RlsDiff, RlsDifference, RlsDiffOptions, RlsDriftKind } from './types.js';
export { RLS_DRIFT_KINDS } from './types.js';
