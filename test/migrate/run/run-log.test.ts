import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src/migrate/run/log-lines.js';
import { createLogState } from '../../../src/migrate/run/log-state.js';
import { openRunLog, readRunLog } from '../../../src/migrate/run/run-log.js';
import { tempDirs } from './support.js';

const newDir = tempDirs();
const newLog = async () => join(await newDir(), 'log.jsonl');

const lineArb: fc.Arbitrary<LogLine> = fc.oneof(
  fc.record({
    t: fc.constant('intent' as const),
    step: fc.constantFrom('user' as const, 'organization' as const),
    clerkUserId: fc.stringMatching(/^user_[a-z0-9]{1,8}$/),
  }),
  fc.record({
    t: fc.constant('done' as const),
    step: fc.constantFrom('membership' as const, 'factor' as const),
    clerkUserId: fc.stringMatching(/^user_[a-z0-9]{1,8}$/),
    id: fc.stringMatching(/^[a-z_0-9]{1,12}$/),
    created: fc.boolean(),
  }),
);

describe('run log', () => {
  it('reads back what concurrent appends wrote, in order, owner-only', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(lineArb, { maxLength: 4 }), { maxLength: 12 }),
        async (batches) => {
          const path = await newLog();
          const log = await openRunLog(path);
          await Promise.all(batches.map((lines) => log.append(...lines)));
          await log.close();
          expect(await readRunLog(path, false)).toEqual(batches.flat());
          if (batches.flat().length > 0) expect((await stat(path)).mode & 0o777).toBe(0o600);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('drops a last line cut by a crash, and cuts it off the file when repairing', async () => {
    const path = await newLog();
    const whole = `${JSON.stringify({ t: 'intent', step: 'user', clerkUserId: 'user_a' })}\n`;
    await writeFile(path, `${whole}{"t":"done","step":"us`);
    expect(await readRunLog(path, false)).toHaveLength(1);
    expect(await readFile(path, 'utf8')).not.toBe(whole);
    expect(await readRunLog(path, true)).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe(whole);
  });

  it('refuses a damaged line that is not the last', async () => {
    const path = await newLog();
    await writeFile(path, '{"t":"intent","step":"user"}\nnot json\n{"t":"intent","step":"user"}\n');
    await expect(readRunLog(path, true)).rejects.toMatchObject({
      code: 'invalid_input',
      reason: 'invalid_run_log',
    });
  });

  it('an undone object starts over; a done after an intent settles it', () => {
    const ref = { step: 'user', clerkUserId: 'user_a' } as const;
    const state = createLogState([
      { t: 'intent', ...ref },
      { t: 'done', ...ref, id: 'user_1', created: true },
      { t: 'record', clerkUserId: 'user_a', recordNumber: 1, outcome: 'created' },
    ]);
    expect(state.get(ref)).toMatchObject({ intent: false, done: { id: 'user_1', created: true } });
    state.apply({ t: 'undo-intent', ...ref, id: 'user_1' });
    state.apply({ t: 'undo-done', ...ref, id: 'user_1' });
    expect(state.get(ref)).toBeUndefined();
    expect(state.records.has('user_a')).toBe(false);
  });
});
