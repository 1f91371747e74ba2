import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultyFetch } from '../../src/testing/fault-fetch.js';

let server: Server;
let base: string;
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    served++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

async function statuses(fetchFn: typeof fetch, n: number, path = '/x'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fetchFn(`${base}${path}`)).status);
  return out;
}

describe('createFaultyFetch', () => {
  it('passes every request through when no fault is configured', async () => {
    const before = served;
    const fetchFn = createFaultyFetch();
    const res = await fetchFn(`${base}/users?limit=1`, { method: 'POST' });
    expect(await res.json()).toEqual({ method: 'POST', url: '/users?limit=1' });
    expect(served - before).toBe(1);
    expect(fetchFn.calls).toBe(1);
    expect(Object.values(fetchFn.faults).every((n) => n === 0)).toBe(true);
  });

  it('fails exactly the listed call numbers, and the faulted ones never reach the server', async () => {
    const before = served;
    const fetchFn = createFaultyFetch({
      faults: { fault: 'service_unavailable', calls: [1, 3], retryAfterSeconds: 2 },
    });
    const res = await fetchFn(`${base}/x`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await statuses(fetchFn, 3)).toEqual([200, 503, 200]);
    expect(served - before).toBe(2);
    expect(fetchFn.calls).toBe(4);
    expect(fetchFn.faults.service_unavailable).toBe(2);
  });

  it('answers 429 with a Retry-After in seconds, and 500 for server errors', async () => {
    const fetchFn = createFaultyFetch({
      faults: [
        { fault: 'rate_limit', calls: [1], retryAfterSeconds: 7 },
        { fault: 'server_error', calls: [2] },
      ],
    });
    const limited = await fetchFn(`${base}/x`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ code: 'rate_limit_exceeded' });
    expect((await fetchFn(`${base}/x`)).status).toBe(500);
    expect(fetchFn.faults).toMatchObject({ rate_limit: 1, server_error: 1 });
  });

  it('only faults requests matching the method and path filters', async () => {
    const fetchFn = createFaultyFetch({
      faults: { fault: 'server_error', method: 'post', path: '/user_management/' },
    });
    expect((await fetchFn(`${base}/user_management/users`)).status).toBe(200);
    expect((await fetchFn(`${base}/organizations`, { method: 'POST' })).status).toBe(200);
    const hit = await fetchFn(new Request(`${base}/user_management/users`, { method: 'POST' }));
    expect(hit.status).toBe(500);
    const byRegExp = createFaultyFetch({ faults: { fault: 'server_error', path: /^\/events$/ } });
    expect(await statuses(byRegExp, 1, '/events')).toEqual([500]);
    expect(await statuses(byRegExp, 1, '/events/evt_1')).toEqual([200]);
  });

  it('draws rate faults from a seeded PRNG: same seed, same requests fail', async () => {
    const pattern = async (seed: number) =>
      statuses(createFaultyFetch({ faults: { fault: 'server_error', rate: 0.2 }, seed }), 100);
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    expect(await pattern(7)).not.toEqual(a);
    const failed = a.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(40);
  });

  it('reset() zeroes the counters and replays the same fault sequence', async () => {
    const fetchFn = createFaultyFetch({ faults: { fault: 'server_error', rate: 0.5 }, seed: 3 });
    const first = await statuses(fetchFn, 20);
    fetchFn.reset();
    expect(fetchFn.calls).toBe(0);
    expect(fetchFn.faults.server_error).toBe(0);
    expect(await statuses(fetchFn, 20)).toEqual(first);
  });

  it('drops the connection the way undici reports ECONNRESET', async () => {
    const fetchFn = createFaultyFetch({ faults: { fault: 'connection_reset' } });
    const error = await fetchFn(`${base}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET' } });
    expect(fetchFn.faults.connection_reset).toBe(1);
  });

  it('a timeout never answers until the caller aborts', async () => {
    const before = served;
    const fetchFn = createFaultyFetch({ faults: { fault: 'timeout' } });
    const controller = new AbortController();
    const pending = fetchFn(`${base}/x`, { signal: controller.signal });
    let settled = false;
    pending.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(served).toBe(before);
  });

  it('a timeout with timeoutMs rejects with a TimeoutError', async () => {
    const fetchFn = createFaultyFetch({ faults: { fault: 'timeout', timeoutMs: 5 } });
    await expect(fetchFn(`${base}/x`)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(fetchFn.faults.timeout).toBe(1);
  });

  it('rateLimit answers 429 past the limit with the Retry-After at which a slot frees', async () => {
    let now = 0;
    const fetchFn = createFaultyFetch({
      rateLimit: { limit: 3, windowMs: 10_000 },
      now: () => now,
    });
    for (const at of [0, 1_000, 2_000]) {
      now = at;
      expect((await fetchFn(`${base}/x`)).status).toBe(200);
    }
    now = 2_500;
    const refused = await fetchFn(`${base}/x`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('8'); // the first request leaves at 10 s
    now = 9_900;
    expect((await fetchFn(`${base}/x`)).status).toBe(429);
    now = 10_000;
    expect((await fetchFn(`${base}/x`)).status).toBe(200);
    const next = await fetchFn(`${base}/x`);
    expect(next.status).toBe(429);
    expect(next.headers.get('retry-after')).toBe('1'); // the second leaves at 11 s
    expect(fetchFn.faults.rate_limit).toBe(3);
  });

  it('deliver: the server gets the request, the caller gets the fault', async () => {
    const before = served;
    const fetchFn = createFaultyFetch({
      faults: [
        { fault: 'connection_reset', deliver: true, calls: [1] },
        { fault: 'server_error', deliver: true, calls: [2] },
      ],
    });
    await expect(fetchFn(`${base}/x`, { method: 'POST' })).rejects.toMatchObject({
      cause: { code: 'ECONNRESET' },
    });
    expect((await fetchFn(`${base}/x`, { method: 'POST' })).status).toBe(500);
    expect(served - before).toBe(2);
    expect(() => createFaultyFetch({ faults: { fault: 'rate_limit', deliver: true } })).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: expect.stringMatching(/cannot deliver/),
      }),
    );
  });

  it('rejects bad options with invalid_input naming the key', () => {
    expect(() => createFaultyFetch({ faults: { fault: 'server_error', rate: 2 } })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/rate/) }),
    );
    expect(() =>
      createFaultyFetch({ faults: { fault: 'server_error', rate: 0.1, calls: [1] } }),
    ).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => createFaultyFetch({ faults: { fault: 'explode' as never } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    expect(() => createFaultyFetch({ rateLimit: { limit: 0, windowMs: 1000 } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
