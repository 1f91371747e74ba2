import { type FileHandle, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';
import { RUN_FILE_MODE, syncDir } from '../run/run-files.js';

/** The database side of a run: beside the WorkOS log, in the same run directory. @internal */
export const dbLogPath = (outDir: string) => join(outDir, 'migration-db-log.jsonl');

/** The rows of one user as they were before the run first touched them (null: no row). */
const beforeSchema = z.strictObject({
  user: z.strictObject({ role: z.string(), updatedAt: z.string() }).nullable(),
  expertSetup: z
    .strictObject({
      workosOrgId: z.string().nullable(),
      setupStatus: z.record(z.string(), z.unknown()),
      setupComplete: z.boolean(),
      setupCompletedAt: z.string().nullable(),
      updatedAt: z.string(),
    })
    .nullable(),
  preferences: z
    .strictObject({
      workosOrgId: z.string().nullable(),
      preferences: z.record(z.string(), z.unknown()),
      updatedAt: z.string(),
    })
    .nullable(),
  // Optional: logs written before the profile table existed have no such key.
  profile: z
    .strictObject({
      values: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
      updatedAt: z.string(),
    })
    .nullable()
    .optional(),
});

export type RowsBefore = z.output<typeof beforeSchema>;

const lineSchema = z.discriminatedUnion('t', [
  // Written (and flushed) before the user's metadata is applied.
  z.strictObject({ t: z.literal('db-intent'), c: z.string(), w: z.string(), before: beforeSchema }),
  // Written after: what the importer says it created, and the role it replaced.
  z.strictObject({
    t: z.literal('db-done'),
    c: z.string(),
    created: z.strictObject({
      user: z.boolean(),
      expertSetup: z.boolean(),
      preferences: z.boolean(),
      profile: z.boolean().optional(),
    }),
    previousRole: z.string().optional(),
  }),
  z.strictObject({ t: z.literal('db-undone'), c: z.string() }),
  z.strictObject({ t: z.literal('appdata-intent'), tables: z.array(z.string()) }),
  z.strictObject({ t: z.literal('appdata-done'), rows: z.number().int() }),
  z.strictObject({ t: z.literal('appdata-undone') }),
]);

export type DbLogLine = z.output<typeof lineSchema>;

/** One user's database step, as the log tells it. @internal */
export interface DbUserState {
  readonly workosUserId: string;
  /** From the first intent since the last undo: what the run found, so what undo puts back. */
  readonly before: RowsBefore;
  done?: Extract<DbLogLine, { t: 'db-done' }>;
  /** Log order of the first intent, for newest-first undo. */
  readonly order: number;
}

/** What the database log says the run did. @internal */
export interface DbLogState {
  readonly users: Map<string, DbUserState>;
  /** The app tables a rewrite was started on and not undone; undefined when none was. */
  appData?: { tables: string[]; rows?: number };
  apply(line: DbLogLine): void;
}

/** @internal */
export function createDbLogState(lines: readonly DbLogLine[]): DbLogState {
  let order = 0;
  const state: DbLogState = {
    users: new Map(),
    apply(line) {
      order++;
      switch (line.t) {
        case 'db-intent':
          // A repeated intent (a resume after a crash) keeps the first one's rows: they are the
          // ones from before the run, whatever the interrupted attempt committed.
          if (!state.users.has(line.c)) {
            state.users.set(line.c, { workosUserId: line.w, before: line.before, order });
          }
          break;
        case 'db-done': {
          const user = state.users.get(line.c);
          if (user) user.done = line;
          break;
        }
        case 'db-undone':
          state.users.delete(line.c);
          break;
        case 'appdata-intent':
          state.appData ??= { tables: line.tables };
          break;
        case 'appdata-done':
          if (state.appData) state.appData.rows = line.rows;
          break;
        case 'appdata-undone':
          delete state.appData;
          break;
      }
    },
  };
  for (const line of lines) state.apply(line);
  return state;
}

/**
 * Reads the database log. As with the WorkOS log, a last line without its newline was cut by a
 * crash before its step ran and is dropped; any other unreadable line stops the run. @internal
 */
export async function readDbLog(path: string): Promise<DbLogLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
  const end = text.lastIndexOf('\n') + 1;
  return text
    .slice(0, end)
    .split('\n')
    .flatMap((line, index) => {
      if (line === '') return [];
      let parsed: ReturnType<typeof lineSchema.safeParse> | undefined;
      try {
        parsed = lineSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        throw new OrgkitError(
          'invalid_input',
          `migration: line ${index + 1} of ${path} is not a database log line; the file was changed outside orgkit`,
          { reason: 'invalid_run_log', details: { line: index + 1 } },
        );
      }
      return [parsed.data];
    });
}

/** The append side: each call's lines are on disk (fsync'ed) when it resolves. @internal */
export interface DbLogWriter {
  append(...lines: DbLogLine[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database log for appending, owner-only. A torn last line is cut off first, so the
 * next line starts on its own. @internal
 */
export async function openDbLog(path: string): Promise<DbLogWriter> {
  const handle: FileHandle = await open(path, 'a+', RUN_FILE_MODE);
  const text = (await handle.readFile()).toString('utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    await handle.truncate(Buffer.byteLength(text.slice(0, end)));
    await handle.sync();
  }
  await syncDir(join(path, '..'));
  return {
    async append(...lines) {
      await handle.appendFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      await handle.datasync();
    },
    close: () => handle.close(),
  };
}
