import * as z from 'zod/mini';
import { systemActorSchema } from '../audit/event-input.js';
import type { AuditActor } from '../audit/types.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import type { RequestScopeStore } from './request-scope.js';

/** The permission acting on another user's data needs unless configured otherwise. */
export const DEFAULT_MANAGE_USERS_PERMISSION = 'users:manage';

/** A named system job acting on its own authority, as audit events record it. */
export type SystemActor = Extract<AuditActor, { system: string }>;

/** Options of every function that acts on a user named by id. */
export interface UserActionOptions {
  /**
   * Outside a request scope (jobs, scripts), who acts: `{ system: 'job-name' }`. Required there
   * to act on a user; refused inside a request with a session, where the session's user acts.
   */
  actor?: SystemActor | undefined;
}

/** Who may act, on whom: the answer of the guard. @internal */
export interface AuthorizedUserAction {
  /** The user acted on. */
  userId: string;
  /** Who acts: the session's user, or the named system. */
  actor: AuditActor;
  /** The session's organization; `null` for a system actor. */
  organizationId: string | null;
}

/** What one call asks of the guard. @internal */
export interface UserActionRule {
  /** The permission acting on another user needs. @default the configured manage permission */
  permission?: string;
  /** The permission is needed on the session's own id too (resets, role changes). */
  evenForSelf?: boolean;
}

/**
 * The one authorization rule of functions taking a user id: in a request with a session, the
 * session's own id is allowed and another id needs a permission; without a session, a system
 * actor must be named. Input is validated first; nothing is read or written when it refuses.
 * @internal
 */
export type AuthorizeUserAction = (
  what: string,
  userId: unknown,
  options: unknown,
  rule?: UserActionRule,
) => Promise<AuthorizedUserAction>;

// Control characters are no part of any id, and Postgres refuses a NUL in text outright.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const userIdSchema = z.string().check(
  z.minLength(1),
  z.maxLength(256),
  z.refine((id) => !CONTROL.test(id), 'must not contain control characters'),
);
const optionsSchema = z.strictObject({ actor: z.optional(systemActorSchema) });

/** @internal */
export interface UserAuthorizerDeps {
  scope: RequestScopeStore;
  /** @default DEFAULT_MANAGE_USERS_PERMISSION */
  permission?: string | undefined;
  /** The core's permission check; without it nobody holds a permission (fails closed). */
  hasPermission?: ((userId: string, permission: string) => Promise<boolean>) | undefined;
}

/** Builds the guard every capability taking a user id calls before it reads or writes. @internal */
export function createUserAuthorizer(deps: UserAuthorizerDeps): AuthorizeUserAction {
  const managePermission = deps.permission ?? DEFAULT_MANAGE_USERS_PERMISSION;
  const hasPermission = deps.hasPermission ?? (async () => false);

  return async (what, userId, options, rule = {}) => {
    const id =
      userId === undefined ? undefined : parseInput(userIdSchema, userId, `${what}: userId`);
    const { actor } = parseInput(optionsSchema, options ?? {}, `${what}: options`);
    const current = deps.scope.current();
    const session = current?.session;
    if (session) {
      if (actor) {
        throw new OrgkitError(
          'invalid_input',
          `${what}: options.actor: inside a request the session's user acts; a system actor is for jobs and scripts outside one`,
          { details: { key: 'actor' } },
        );
      }
      const target = id ?? session.userId;
      const permission = rule.permission ?? managePermission;
      const needed = target !== session.userId || rule.evenForSelf === true;
      if (needed && !(await hasPermission(session.userId, permission))) {
        throw new OrgkitError(
          'forbidden',
          target === session.userId
            ? `${what}: requires the "${permission}" permission`
            : `${what}: acting on another user requires the "${permission}" permission`,
          { reason: 'missing_permission', details: { missing: [permission] } },
        );
      }
      return {
        userId: target,
        actor: { userId: session.userId },
        organizationId: session.organizationId ?? null,
      };
    }
    if (id === undefined) {
      throw new OrgkitError(
        'unauthenticated',
        `${what}: no user id given and no authenticated session in this request`,
        { reason: current ? 'no_session' : 'no_request_scope' },
      );
    }
    if (!actor && current) {
      // A request nobody signed in to: what it lacks is a sign-in (401), not a permission.
      throw new OrgkitError(
        'unauthenticated',
        `${what}: no authenticated session in this request to act on this user; a job or script outside a request passes { actor: { system: 'job-name' } }`,
        { reason: 'no_session' },
      );
    }
    if (!actor) {
      // Refused rather than assumed: a job that forgot its name would otherwise act unrecorded.
      throw new OrgkitError(
        'forbidden',
        `${what}: no session authorizes acting on this user; inside a request, sign the user in; in a job or script, pass { actor: { system: 'job-name' } }`,
        { reason: 'no_actor', details: { key: 'actor' } },
      );
    }
    return { userId: id, actor, organizationId: null };
  };
}
