// verifyAccessToken against bare jose jwtVerify with the same key, options and token.
// Peer: jose's createLocalJWKSet over the very JWKS orgkit fetched, so both import the key once
// and differ only by orgkit's own work (remote-set freshness check, error mapping, claim mapping).
import { createLocalJWKSet, type JWTVerifyOptions, jwtVerify } from 'jose';
import { do_not_optimize, measure } from 'mitata';
import { createSessionVerifier, type SessionVerifierOptions } from '../src/session/index.js';
import { createTestTokenIssuer } from '../src/testing/token-issuer.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

const issuer = await createTestTokenIssuer({ issuer: 'https://api.workos.com' });
const token = await issuer.mint(
  {
    org_id: 'org_01HZX8J9KQ3V5B7N2M4P6R8T0W',
    role: 'admin',
    permissions: ['posts:read', 'posts:write', 'users:manage'],
    entitlements: ['audit-logs'],
  },
  { expiresIn: 3600 },
);

const common: Omit<SessionVerifierOptions, 'verifiedTokenCache'> = {
  jwksUrl: issuer.jwksUrl,
  issuers: [issuer.issuer],
  clockToleranceSeconds: 5,
  jwksCooldownMs: 30_000,
  jwksCacheMaxAgeMs: 600_000,
};
const uncached = createSessionVerifier({ ...common, verifiedTokenCache: false });
const cached = createSessionVerifier({ ...common, verifiedTokenCache: { max: 10_000 } });
const localSet = createLocalJWKSet(issuer.jwks());
const joseOptions: JWTVerifyOptions = {
  algorithms: ['RS256'],
  issuer: [issuer.issuer],
  clockTolerance: 5,
};

// Warm up: fetch the JWKS and import the key everywhere, so no run measures the network, and let
// the JIT settle on all three paths so the first benchmark is not the one paying for it.
for (let i = 0; i < 1_000; i++) {
  await jwtVerify(token, localSet, joseOptions);
  await uncached.verifyAccessToken(token);
  await cached.verifyAccessToken(token);
}

const paths: Record<string, () => Promise<unknown>> = {
  'jose jwtVerify (local JWKS)': () => jwtVerify(token, localSet, joseOptions),
  'orgkit verifyAccessToken': () => uncached.verifyAccessToken(token),
  'orgkit verifyAccessToken, verified-token cache': () => cached.verifyAccessToken(token),
};
const [JOSE, ORGKIT, CACHED] = Object.keys(paths) as [string, string, string];

// Rounds in alternating order (A B C, C B A, …) and the median of each path's per-round medians:
// on a shared machine the load drifts during a run, and a fixed order would bill the drift to
// whichever path runs last.
const p50s = new Map<string, number[]>(Object.keys(paths).map((name) => [name, []]));
for (let round = 0; round < 6; round++) {
  const names = round % 2 === 0 ? Object.keys(paths) : Object.keys(paths).reverse();
  for (const name of names) {
    const path = paths[name]!;
    const stats = await measure(async () => do_not_optimize(await path()));
    p50s.get(name)!.push(stats.p50);
  }
}
await issuer.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const p50 = (name: string) => median(p50s.get(name)!);
for (const name of Object.keys(paths)) {
  const ns = p50(name);
  console.log(
    `${name.padEnd(48)} ${(ns / 1000).toFixed(2).padStart(9)} µs/op  ${Math.round(1e9 / ns)
      .toLocaleString('en-US')
      .padStart(10)} ops/s`,
  );
}

const throughputRatio = p50(JOSE) / p50(ORGKIT);
reportTarget(
  'orgkit throughput / jose throughput',
  throughputRatio,
  '≥ 0.90× jose jwtVerify',
  throughputRatio >= 0.9,
);
const cacheSpeedup = p50(ORGKIT) / p50(CACHED);
reportTarget(
  'cached / uncached throughput, repeated token',
  cacheSpeedup,
  '≥ 20× uncached',
  cacheSpeedup >= 20,
);
