import { ATTR, SPAN, traced } from '../../telemetry/index.js';
import { type CallContext, callWorkOS, findOrCreate } from '../../workos-calls/call.js';
import type { LogLine, StepRef } from './log-lines.js';
import type { LogState } from './log-state.js';
import { actionOf, checkPlanned, type PlannedWrites } from './plan-writes.js';
import type { RunLogWriter } from './run-log.js';

/** Runs one WorkOS write through the shared limiter. */
export interface MigrationLimiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** What every step of a run shares. @internal */
export interface StepContext {
  readonly call: CallContext;
  readonly log: RunLogWriter;
  readonly state: LogState;
  readonly limiter: MigrationLimiter;
  /** A reviewed plan's writes (`--from-plan`): any other create fails with `plan_mismatch`. */
  readonly planned?: PlannedWrites;
  /** Told of each create this context sends (once per object, retries not counted). */
  readonly onCreate?: (action: string) => void;
}

/** How one WorkOS object is found and created. @internal */
export interface LoggedStep {
  readonly operation: string;
  /** Finds the object however it came to exist (a match), or undefined. */
  findExisting(): Promise<{ id: string } | undefined>;
  /**
   * Finds the object this run announced: only what the create would have made (a user by its
   * external id, not by email), so an object found after an intent is known to be the run's own.
   */
  findOwn(): Promise<{ id: string } | undefined>;
  create(): Promise<{ id: string }>;
  /** True when the object cannot exist yet (its parent was created in this invocation). */
  readonly knownAbsent: boolean;
}

/** The id of the object a step is about, and whether this run created it. @internal */
export interface StepResult {
  readonly id: string;
  readonly created: boolean;
  /** Created by this very call, so nothing can hang off it yet. */
  readonly justCreated: boolean;
}

async function record(ctx: StepContext, line: LogLine): Promise<void> {
  await ctx.log.append(line);
  ctx.state.apply(line);
}

/**
 * Ensures one object, logged so a crash anywhere creates nothing twice:
 * - logged `done` → its id, no call;
 * - otherwise an object that already exists is matched (`created: false`);
 * - else an `intent` line is flushed before the create is sent, and a create whose answer is
 *   lost (or an intent found on resume) is followed by a look-up before any new create, so the
 *   object found is known to be this run's (`created: true`).
 * @internal
 */
export function ensureLogged(
  ctx: StepContext,
  ref: StepRef,
  step: LoggedStep,
): Promise<StepResult> {
  return traced(
    ctx.call.telemetry,
    SPAN.migrationStep,
    { [ATTR.step]: ref.step },
    () => ensure(ctx, ref, step),
    (r) => ({ [ATTR.result]: r.created ? 'created' : 'matched' }),
  );
}

async function ensure(ctx: StepContext, ref: StepRef, step: LoggedStep): Promise<StepResult> {
  const known = ctx.state.get(ref);
  if (known?.done) return { ...known.done, justCreated: false };
  let announced = known?.intent === true;
  if (!announced && !step.knownAbsent) {
    const existing = await callWorkOS(ctx.call, step.operation, step.findExisting);
    if (existing) {
      await record(ctx, { t: 'done', ...ref, id: existing.id, created: false });
      return { id: existing.id, created: false, justCreated: false };
    }
  }
  let sending = false;
  const { value } = await findOrCreate(ctx.call, {
    operation: step.operation,
    // Nothing was found a moment ago; after an earlier run's intent, look before creating.
    knownAbsent: !announced,
    find: step.findOwn,
    create: async () => {
      if (!sending) {
        // Checked before the intent: a write the plan does not name is never announced or sent.
        checkPlanned(ctx.planned, ref);
        ctx.onCreate?.(actionOf(ref));
        sending = true;
      }
      if (!announced) {
        await record(ctx, { t: 'intent', ...ref });
        announced = true;
      }
      return ctx.limiter.run(step.create);
    },
  });
  await record(ctx, { t: 'done', ...ref, id: value.id, created: true });
  return { id: value.id, created: true, justCreated: true };
}
