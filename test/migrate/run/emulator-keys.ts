// The emulator allows each API key 1,000 requests a minute, counted across resets; a run of a few
// hundred users sends more, so every request takes the next key of a seeded pool. No vitest
// import here: the crash test's worker process uses it too.

/** API keys the test emulator is seeded with. */
export const EMULATOR_KEYS = Array.from({ length: 400 }, (_, i) => `sk_test_migrate_${i}`);

/** The emulator seed that makes every key of {@link EMULATOR_KEYS} valid. */
export const emulatorKeySeed = () => ({
  apiKeys: Object.fromEntries(EMULATOR_KEYS.map((k) => [k, { environment: 'test' }])),
});

let nextKey = Math.floor(Math.random() * EMULATOR_KEYS.length);

/** A fetch that sends each request with the next key of the pool. */
export function keyRotatingFetch(next: typeof fetch = globalThis.fetch): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${EMULATOR_KEYS[nextKey++ % EMULATOR_KEYS.length]}`);
    return next(input, { ...init, headers });
  }) as typeof fetch;
}
