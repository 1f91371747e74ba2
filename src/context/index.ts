export type { RequestScope, RequestScopeInit } from './request-scope.js';
export { RequestScopeStore } from './request-scope.js';
