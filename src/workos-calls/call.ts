// Calling WorkOS with retries, a shared rate-limit gate and look-up-before-create: used by guest
// provisioning, the Clerk migration and the mirror's listings alike.
import { OrgkitError } from '../errors/index.js';
import { ATTR, type Telemetry } from '../telemetry/index.js';
import { decideRetry, type RateLimitGate, type RetryPolicy } from './retry.js';
import { type CallTrace, traceWorkOSOperation } from './trace-call.js';

/** What every WorkOS call of one operation (a provisioning, a migration, a listing) shares. @internal */
export interface CallContext {
  policy: RetryPolicy;
  /** Structural, so a gate shared with a write limiter fits too. */
  gate: Pick<RateLimitGate, 'remainingMs' | 'closeFor'>;
  sleep(ms: number): Promise<void>;
  /** Runs before a wait of `ms`, so the claim outlives it. */
  beforeWait(ms: number): Promise<void>;
  /** Spans and counts of the calls (the instance's). @default none */
  telemetry?: Telemetry | undefined;
}

/** The HTTP status of a failed SDK call, if it got an answer. @internal */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Waits while a 429 elsewhere has the gate closed, keeping the claim alive meanwhile. Checked
 * before every request, so a call that passed the gate before its look-up does not spend an
 * attempt on a create the limit will refuse.
 */
async function passGate(ctx: CallContext): Promise<void> {
  for (let ms = ctx.gate.remainingMs(); ms > 0; ms = ctx.gate.remainingMs()) {
    await ctx.beforeWait(ms);
    await ctx.sleep(ms);
  }
}

/** One request to WorkOS, counted by its answer. */
async function request<T>(trace: CallTrace | undefined, fn: () => Promise<T>): Promise<T> {
  if (trace === undefined) return fn();
  try {
    const value = await fn();
    trace.answered('ok');
    return value;
  } catch (error) {
    trace.answered(statusOf(error));
    throw error;
  }
}

async function pause(
  ctx: CallContext,
  operation: string,
  error: unknown,
  attempt: number,
  trace: CallTrace | undefined,
) {
  const decision = decideRetry(operation, error, attempt, ctx.policy);
  if (!decision.retry) throw decision.error;
  trace?.event('retry', {
    [ATTR.attempt]: attempt,
    [ATTR.retryDelayMs]: decision.delayMs,
    ...(statusOf(error) === undefined ? {} : { [ATTR.httpStatus]: statusOf(error)! }),
  });
  // A 429 closes the gate for every call of the instance; the next passGate waits it out.
  if (decision.rateLimited) ctx.gate.closeFor(decision.delayMs);
  else {
    await ctx.beforeWait(decision.delayMs);
    await ctx.sleep(decision.delayMs);
  }
  return decision;
}

/** Calls WorkOS, retrying what {@link decideRetry} allows. For reads and harmless repeats. @internal */
export function callWorkOS<T>(
  ctx: CallContext,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  return traceWorkOSOperation(ctx.telemetry, operation, async (trace) => {
    for (let attempt = 1; ; attempt++) {
      await passGate(ctx);
      try {
        return await request(trace, fn);
      } catch (error) {
        await pause(ctx, operation, error, attempt, trace);
      }
    }
  });
}

/** How to find and how to create one WorkOS object. @internal */
export interface EnsureSteps<T> {
  operation: string;
  /** Finds the object, or undefined when WorkOS has none. */
  find(): Promise<T | undefined>;
  create(): Promise<T>;
  /** True when the object cannot exist yet (its parent was created a moment ago). */
  knownAbsent: boolean;
}

/**
 * Finds a WorkOS object or creates it, at most once. A create that failed without an answer
 * (timeout, reset, 5xx) may still have been applied, and a 409 means a racing creator won, so
 * both are followed by a look-up rather than a blind second create. A 429 is never applied, so
 * after one the create is simply repeated.
 * @internal
 */
export function findOrCreate<T>(
  ctx: CallContext,
  steps: EnsureSteps<T>,
): Promise<{ value: T; created: boolean }> {
  return traceWorkOSOperation(ctx.telemetry, steps.operation, (trace) => ensure(ctx, steps, trace));
}

async function ensure<T>(
  ctx: CallContext,
  steps: EnsureSteps<T>,
  trace: CallTrace | undefined,
): Promise<{ value: T; created: boolean }> {
  let mustFind = !steps.knownAbsent;
  for (let attempt = 1; ; attempt++) {
    try {
      if (mustFind) {
        await passGate(ctx);
        const found = await request(trace, () => steps.find());
        trace?.event('lookup', {
          [ATTR.attempt]: attempt,
          'orgkit.workos.found': found !== undefined,
        });
        if (found !== undefined) return { value: found, created: false };
        mustFind = false;
      }
      await passGate(ctx);
      const created = await request(trace, () => steps.create());
      trace?.event('create', { [ATTR.attempt]: attempt });
      return { value: created, created: true };
    } catch (error) {
      if (statusOf(error) === 409) {
        if (attempt >= ctx.policy.maxAttempts) {
          throw new OrgkitError(
            'conflict',
            `${steps.operation}: WorkOS reports a conflict but the object cannot be found`,
            { cause: error, reason: 'unresolved_conflict' },
          );
        }
        mustFind = true;
        continue;
      }
      const decision = await pause(ctx, steps.operation, error, attempt, trace);
      if (!decision.rateLimited) mustFind = true;
    }
  }
}
