export { lintRls } from './lint-rls.js';
export type { RlsLintFinding, RlsLintLevel, RlsLintOptions, RlsLintRule } from './types.js';
export { RLS_LINT_RULES } from './types.js';
