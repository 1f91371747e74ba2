import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OrgkitError } from '../../errors/index.js';
import { type LogLine, logLineSchema } from './log-lines.js';
import { RUN_FILE_MODE, syncDir } from './run-files.js';

/** The append side of the run log. @internal */
export interface RunLogWriter {
  /** Appends lines and resolves once they are on disk (fsync'ed). */
  append(...lines: LogLine[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads the run log. A last line without its newline was cut by a crash while being written
 * (nothing it announced was sent, since every step waits for its line to be flushed), so it is
 * dropped and, when `repair` is set, cut off the file. Any other unreadable line means the file
 * was edited or damaged, and the run stops rather than guess. @internal
 */
export async function readRunLog(path: string, repair: boolean): Promise<LogLine[]> {
  let handle: FileHandle;
  try {
    handle = await open(path, repair ? 'r+' : 'r');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const text = (await handle.readFile()).toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (repair && end < text.length) {
      await handle.truncate(Buffer.byteLength(text.slice(0, end)));
      await handle.sync();
    }
    const lines: LogLine[] = [];
    text
      .slice(0, end)
      .split('\n')
      .forEach((line, index) => {
        if (line === '') return;
        let parsed: ReturnType<typeof logLineSchema.safeParse>;
        try {
          parsed = logLineSchema.safeParse(JSON.parse(line));
        } catch {
          parsed = { success: false } as typeof parsed;
        }
        if (!parsed.success) {
          throw new OrgkitError(
            'invalid_input',
            `migration: line ${index + 1} of ${path} is not a run log line; the file was changed outside orgkit`,
            { reason: 'invalid_run_log', details: { line: index + 1 } },
          );
        }
        lines.push(parsed.data);
      });
    return lines;
  } finally {
    await handle.close();
  }
}

/**
 * Opens the run log for appending (created owner-only). Concurrent `append` calls are grouped:
 * lines queued while a flush runs go out together in the next write and fsync, so many records
 * in flight share one disk flush. @internal
 */
export async function openRunLog(path: string): Promise<RunLogWriter> {
  const handle = await open(path, 'a', RUN_FILE_MODE);
  // A log created just now must survive a power cut too, not only its lines.
  await syncDir(dirname(path));
  let queued: { text: string; settle: { resolve(): void; reject(e: unknown): void }[] } = {
    text: '',
    settle: [],
  };
  let flushing: Promise<void> | undefined;

  async function flushLoop(): Promise<void> {
    while (queued.settle.length > 0) {
      const batch = queued;
      queued = { text: '', settle: [] };
      try {
        await handle.appendFile(batch.text);
        await handle.datasync();
        for (const s of batch.settle) s.resolve();
      } catch (error) {
        for (const s of batch.settle) s.reject(error);
      }
    }
    flushing = undefined;
  }

  return {
    append(...lines) {
      return new Promise<void>((resolve, reject) => {
        queued.text += lines.map((line) => `${JSON.stringify(line)}\n`).join('');
        queued.settle.push({ resolve, reject });
        flushing ??= flushLoop();
      });
    },
    async close() {
      await flushing;
      await handle.close();
    },
  };
}
