import { describe, expect, it } from 'vitest';
import { createWriteLimiter } from '../../../src/migrate/index.js';
import { createFaultyFetch } from '../../../src/testing/fault-fetch.js';
import { callWorkOS } from '../../../src/workos-calls/call.js';
import { RateLimitGate } from '../../../src/workos-calls/retry.js';
import { setupEmulator } from '../../guests/support.js';

const env = setupEmulator();
const POLICY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5_000 };

describe('createWriteLimiter with the WorkOS SDK', () => {
  it('after a 429 no write is sent until its Retry-After has passed, and nothing is created twice', async () => {
    const faulty = createFaultyFetch({
      faults: { fault: 'rate_limit', method: 'POST', calls: [3], retryAfterSeconds: 1 },
    });
    const sent: { at: number; status: number }[] = [];
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      const entry = { at: Date.now(), status: 0 };
      sent.push(entry);
      const response = await faulty(input, init);
      entry.status = response.status;
      return response;
    }) as typeof fetch;
    const workos = env.emulator.createClient({ fetchFn, maxRetries: 0 });

    const gate = new RateLimitGate();
    // When the gate closed, and how many requests had been sent by then.
    const closures: { at: number; sentBefore: number }[] = [];
    const closeFor = gate.closeFor.bind(gate);
    gate.closeFor = (ms) => {
      closures.push({ at: Date.now(), sentBefore: sent.length });
      closeFor(ms);
    };
    const limiter = createWriteLimiter({ perSecond: 50, concurrency: 4, gate });
    const ctx = {
      policy: POLICY,
      gate,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      beforeWait: async () => {},
    };
    const emails = Array.from({ length: 8 }, (_, i) => `limited-${i}@example.com`);
    const users = await Promise.all(
      emails.map((email) =>
        callWorkOS(ctx, 'migrate: user', () =>
          limiter.run(() => workos.userManagement.createUser({ email })),
        ),
      ),
    );

    expect(users.map((u) => u.email).sort()).toEqual([...emails].sort());
    expect(sent.filter((r) => r.status === 429)).toHaveLength(1);
    expect(closures).toHaveLength(1);
    const closed = closures[0]!;
    const sentWhileClosed = sent.slice(closed.sentBefore).filter((r) => r.at < closed.at + 1_000);
    expect(sentWhileClosed).toEqual([]);
    expect(sent).toHaveLength(emails.length + 1);
    const held = (await env.workos.userManagement.listUsers()).data.map((u) => u.email);
    expect(held.sort()).toEqual([...emails].sort());
  });
});
