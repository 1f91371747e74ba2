import type { RefreshStore } from './refresh-store.js';
import { openOutcome, refreshKey, sealOutcome } from './sealed-outcome.js';

/** Why a coordinated refresh fell back or failed: recorded as `session.refresh_failed`. @internal */
export type RefreshFailure = 'store_unavailable' | 'wait_timed_out';

/** How instances coordinate refreshes. @internal */
export interface RefreshCoordination {
  store: RefreshStore;
  /** How long an old cookie still gets the session it was refreshed into. */
  graceMs: number;
  /** How long a request waits for another instance's refresh before it gives up. */
  waitMs: number;
}

/** What a refresh of one cookie yielded: the new sealed session, or nothing to share. @internal */
export interface SharedOutcome {
  /** The new sealed session, from this instance's refresh or another's. */
  sealedSession?: string | undefined;
  /** Set when this instance refreshed: the refresh's own result, whatever it was. */
  own?: unknown;
  /** Set when coordination could not work as meant. */
  failure?: RefreshFailure | undefined;
}

const POLL_MS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Refreshes `cookie` once across every instance sharing `c.store`: the instance that takes the
 * lease runs `refresh` and stores the new sealed session (encrypted for the old cookie's holders)
 * for the grace window; the others poll until it is there. A store that fails falls back to
 * refreshing here (at worst the single-instance behaviour); a lease holder that dies is replaced
 * when its lease ends; a wait longer than `waitMs` gives up.
 * @internal
 */
export async function coordinatedRefresh<R>(
  c: RefreshCoordination,
  cookie: string,
  refresh: () => Promise<R>,
  sealedOf: (result: R) => string | undefined,
): Promise<SharedOutcome> {
  let key: string;
  const holder = crypto.randomUUID();
  const deadline = Date.now() + c.waitMs;
  try {
    key = await refreshKey(cookie);
    for (;;) {
      const stored = await c.store.read(key);
      if (stored !== undefined) {
        const sealedSession = await openOutcome(cookie, stored);
        if (sealedSession !== undefined) return { sealedSession };
      }
      if (await c.store.claim(key, holder, c.waitMs)) break;
      if (Date.now() >= deadline) return { failure: 'wait_timed_out' };
      await sleep(POLL_MS);
    }
  } catch {
    return { own: await refresh(), failure: 'store_unavailable' };
  }
  const own = await refresh();
  const sealedSession = sealedOf(own);
  try {
    if (sealedSession !== undefined) {
      await c.store.write(key, holder, await sealOutcome(cookie, sealedSession), c.graceMs);
    } else await c.store.release(key, holder);
  } catch {
    // The refresh worked; only sharing it failed. Others time out or refresh themselves.
    return { own, sealedSession, failure: 'store_unavailable' };
  }
  return { own, sealedSession };
}
