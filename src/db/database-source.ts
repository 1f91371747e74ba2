import { entityKind } from 'drizzle-orm';
import type { RequestScopeStore } from '../context/request-scope.js';
import { OrgkitError } from '../errors/index.js';
import type { OrgkitDatabase } from './database.js';

/**
 * `createOrgkit`'s `database`: a drizzle database for the life of the instance (Node), or a
 * function returning the database of the current request or job, called at most once per
 * request scope (Workers, where a connection cannot outlive its request).
 */
export type OrgkitDatabaseOption = OrgkitDatabase | (() => OrgkitDatabase);

const MEMO_KEY = 'orgkit:database';
const RESOLVE = Symbol('orgkit.resolveDatabase');
const NAMED_STATEMENTS = Symbol('orgkit.namedStatements');
const INSPECTED = new Set<PropertyKey>([
  'then',
  'toJSON',
  'constructor',
  'asymmetricMatch',
  '$$typeof',
  Symbol.toStringTag,
  Symbol.iterator,
  Symbol.asyncIterator,
  Symbol.toPrimitive,
  Symbol.for('nodejs.util.inspect.custom'),
]);

const noDatabase = () =>
  new OrgkitError(
    'invalid_config',
    "no database for this call: pass createOrgkit({ database }), or one per request through the adapter's database option or runWithRequestScope({ database })",
    { reason: 'no_database' },
  );

// Neon's HTTP driver sends one statement (or a fixed batch) per request: it cannot hold the
// interactive transaction preference, expert-setup, sync and RLS writes run their reads and
// writes in. Said here once, by drizzle's class marker, rather than as drizzle's bare Error.
const isNeonHttp = (db: OrgkitDatabase) =>
  (db.constructor as { [entityKind]?: string } | undefined)?.[entityKind] === 'NeonHttpDatabase';

const refuseTransaction = async (): Promise<never> => {
  throw new OrgkitError(
    'invalid_config',
    "this call needs an interactive transaction, which Neon's HTTP driver (drizzle-orm/neon-http) cannot run: give orgkit Neon's WebSocket Pool or Client (drizzle-orm/neon-serverless) for it",
    { reason: 'no_interactive_transactions' },
  );
};

/**
 * The one database object every capability holds. Each property read resolves the database of
 * the moment: the request scope's own (set by an adapter's `database` option), else the
 * provider's answer for this scope, else the instance's. So capabilities built once keep their
 * caches while each request may bring a connection of its own.
 * @internal
 */
export function createDatabaseSource(
  option: OrgkitDatabaseOption | undefined,
  scope: RequestScopeStore,
  { namedStatements = true }: { namedStatements?: boolean } = {},
): OrgkitDatabase {
  const fixed = typeof option === 'function' ? undefined : option;
  const provide = typeof option === 'function' ? option : undefined;

  const resolve = (): OrgkitDatabase => {
    const current = scope.current();
    if (current?.database) return current.database;
    if (fixed) return fixed;
    if (!provide) throw noDatabase();
    if (!current) return provide();
    let db = current.memo.get(MEMO_KEY) as OrgkitDatabase | undefined;
    if (!db) {
      db = provide();
      current.memo.set(MEMO_KEY, db);
    }
    return db;
  };

  const tryResolve = (): OrgkitDatabase | undefined => {
    try {
      return resolve();
    } catch {
      return undefined;
    }
  };

  // Methods are bound to the database they came from: drizzle's query builder reads `this`.
  return new Proxy({} as OrgkitDatabase, {
    get(_target, property) {
      if (property === RESOLVE) return resolve;
      if (property === NAMED_STATEMENTS) return namedStatements;
      // Inspecting, awaiting or serialising the object (a logger, a test's deep equality) with
      // no database around is not a database call: those reads answer `undefined`.
      const db = INSPECTED.has(property) ? tryResolve() : resolve();
      if (!db) return undefined;
      if (property === 'transaction' && isNeonHttp(db)) return refuseTransaction;
      const value = Reflect.get(db, property, db);
      return typeof value === 'function' ? value.bind(db) : value;
    },
    has: (_target, property) => {
      const db = tryResolve();
      return db !== undefined && Reflect.has(db, property);
    },
    getPrototypeOf: () => {
      const db = tryResolve();
      return db ? Reflect.getPrototypeOf(db) : Object.prototype;
    },
  });
}

/**
 * Something built from one database (a prepared statement holds its driver session), made once
 * per database the source resolves to: for the instance's own, once; per request, per request.
 * @internal
 */
export function perDatabase<T>(db: OrgkitDatabase, build: (db: OrgkitDatabase) => T): () => T {
  const resolve = (db as unknown as { [RESOLVE]?: () => OrgkitDatabase })[RESOLVE];
  if (!resolve) {
    let built: T | undefined;
    return () => (built ??= build(db));
  }
  const built = new WeakMap<OrgkitDatabase, T>();
  return () => {
    const current = resolve();
    let value = built.get(current);
    if (value === undefined) {
      value = build(current);
      built.set(current, value);
    }
    return value;
  };
}

/**
 * The name of a prepared statement on `db`, or `''` (an unnamed statement, parsed per use) when
 * the instance was made with `preparedStatements: false`: behind a transaction pooler each
 * transaction may land on another server connection, where a named statement is missing or
 * already exists.
 * @internal
 */
export function statementName(db: OrgkitDatabase, name: string): string {
  return (db as unknown as { [NAMED_STATEMENTS]?: boolean })[NAMED_STATEMENTS] === false
    ? ''
    : name;
}
