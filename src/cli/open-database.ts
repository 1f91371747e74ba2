import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { importPeer } from '../config/import-peer.js';
import type { OrgkitDatabase } from '../db/database.js';
import { OrgkitError } from '../errors/index.js';

/** A database the CLI opened, and how to let go of it. */
export interface OpenedDatabase {
  db: OrgkitDatabase;
  /** Where it lives, for messages: a URL without its password, or the PGlite directory. */
  location: string;
  close(): Promise<void>;
}

/** The URL with its password replaced, so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Opens `url` with node-postgres, or embedded PGlite stored in `dataDir` when there is no URL
 * (`memory://` keeps it in memory).
 */
export async function openDatabase(
  url: string | undefined,
  dataDir = '.orgkit/pglite',
): Promise<OpenedDatabase> {
  if (url) {
    const pg = await importPeer<typeof import('pg')>('pg', 'this command');
    const { drizzle } = await importPeer<typeof import('drizzle-orm/node-postgres')>(
      'drizzle-orm/node-postgres',
      'this command',
    );
    const Pool = pg.Pool ?? (pg as unknown as { default: typeof pg }).default.Pool;
    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      await pool.query('SELECT 1');
    } catch (cause) {
      await pool.end();
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new OrgkitError(
        'upstream_unavailable',
        `cannot connect to ${redactUrl(url)}: ${detail}`,
        {
          cause,
        },
      );
    }
    return { db: drizzle({ client: pool }), location: redactUrl(url), close: () => pool.end() };
  }
  const { PGlite } = await importPeer<typeof import('@electric-sql/pglite')>(
    '@electric-sql/pglite',
    'this command',
  );
  const { drizzle } = await importPeer<typeof import('drizzle-orm/pglite')>(
    'drizzle-orm/pglite',
    'this command',
  );
  const inMemory = dataDir === 'memory://';
  if (!inMemory) mkdirSync(resolve(dataDir), { recursive: true });
  const client = await PGlite.create(inMemory ? undefined : resolve(dataDir));
  return {
    db: drizzle({ client }),
    location: inMemory ? 'PGlite (in memory)' : `PGlite at ${dataDir}`,
    close: () => client.close(),
  };
}
