export type {
  AuthorizedUserAction,
  AuthorizeUserAction,
  SystemActor,
  UserActionOptions,
  UserActionRule,
  UserAuthorizerDeps,
} from './authorize-user.js';
export { createUserAuthorizer, DEFAULT_MANAGE_USERS_PERMISSION } from './authorize-user.js';
export type { RequestScope, RequestScopeInit } from './request-scope.js';
export { RequestScopeStore } from './request-scope.js';
