// The framework-free core of the adapters: Web-standard requests in, auth decisions, scopes and
// Web `Response`s out. Adapters import this and `../index.js`, nothing deeper.
export type { AccessRule } from './authorize.js';
export type { TrustProxy } from './client-ip.js';
export type {
  HttpAuth,
  RequestAuth,
  RouteGuard,
  RouteRequest,
  RouteRule,
} from './create-http-auth.js';
export { createHttpAuth } from './create-http-auth.js';
export type { ErrorBody, ErrorPayload, HttpReply } from './error-response.js';
export { errorPayload, errorReply, errorResponse, toResponse } from './error-response.js';
export { readFormFields } from './form-body.js';
export type { CookieAttributes, HeadersLike } from './headers.js';
export { NodeHeaders } from './headers.js';
export type { MagicAuthInput, MagicAuthResult } from './magic-auth.js';
export type { HttpAuthOptions, SealedSessionOptions } from './options.js';
export type { AccessOf, OrgkitCore } from './orgkit-core.js';
export type { DenialScope, DeniedRequest } from './record-denial.js';
export { createRouteGuards } from './route-guards.js';
export type {
  SwitchOrganizationInput,
  SwitchOrganizationResult,
} from './switch-organization.js';
export { handleWebhookRequest } from './webhook.js';
