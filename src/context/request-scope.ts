import { AsyncLocalStorage } from 'node:async_hooks';
import type { OrgkitDatabase } from '../db/database.js';
import { OrgkitError } from '../errors/index.js';
import type { Session } from '../session/types.js';

/** What one request carries through every async call it makes. */
export interface RequestScope {
  /** The verified session, or `undefined` for an anonymous request. */
  session: Session | undefined;
  /** Client IP after the adapter applied its trusted-proxy rule. */
  ipAddress: string | undefined;
  userAgent: string | undefined;
  requestId: string;
  /**
   * This request's own database (a connection a runtime does not let outlive the request, as on
   * Workers); `undefined` uses the instance's `database`.
   */
  database?: OrgkitDatabase | undefined;
  /** Per-request memo: one request never resolves the same thing twice. @internal */
  memo: Map<string, unknown>;
}

/** The fields a caller supplies when opening a scope. */
export type RequestScopeInit = Partial<Omit<RequestScope, 'memo'>>;

/**
 * One AsyncLocalStorage per orgkit instance, entered only through `run()`
 * (never `enterWith()`, which leaks the scope into unrelated work).
 * @internal
 */
export class RequestScopeStore {
  readonly #storage = new AsyncLocalStorage<RequestScope>();

  run<T>(init: RequestScopeInit, fn: () => T): T {
    if (typeof init !== 'object' || init === null) {
      throw new OrgkitError('invalid_input', 'runWithRequestScope: init: pass an object');
    }
    if (typeof fn !== 'function') {
      throw new OrgkitError('invalid_input', 'runWithRequestScope: fn: pass a function');
    }
    const db = init.database as { select?: unknown; transaction?: unknown } | undefined;
    if (
      db !== undefined &&
      (typeof db?.select !== 'function' || typeof db.transaction !== 'function')
    ) {
      throw new OrgkitError(
        'invalid_input',
        'runWithRequestScope: init.database: pass a drizzle Postgres database',
      );
    }
    const scope: RequestScope = {
      session: init.session,
      ipAddress: init.ipAddress,
      userAgent: init.userAgent,
      requestId: init.requestId ?? crypto.randomUUID(),
      // A scope opened inside a request's (a switch's new session, say) keeps its connection.
      database: init.database ?? this.#storage.getStore()?.database,
      memo: new Map(),
    };
    return this.#storage.run(scope, fn);
  }

  current(): RequestScope | undefined {
    return this.#storage.getStore();
  }
}
