import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import * as z from 'zod';
import { parseInput } from '../errors/index.js';

/** Options of {@link createTestTokenIssuer}. */
export interface TestTokenIssuerOptions {
  /** The `iss` of minted tokens. @default the issuer's own base URL, e.g. `http://127.0.0.1:PORT` */
  issuer?: string;
  /** Part of the JWKS path, `/sso/jwks/<clientId>`, as at WorkOS. @default 'client_orgkit_test' */
  clientId?: string;
  /** The `kid` of the first signing key. @default 'orgkit_test_key' */
  kid?: string;
}

/** WorkOS access-token claims, all optional: {@link TestTokenIssuer.mint} fills `sub` and `sid`. */
export interface TestTokenClaims {
  sub?: string | undefined;
  sid?: string | undefined;
  org_id?: string | undefined;
  role?: string | undefined;
  roles?: string[] | undefined;
  permissions?: string[] | undefined;
  entitlements?: string[] | undefined;
  feature_flags?: string[] | undefined;
  act?: { email: string; reason?: string | null } | undefined;
  aud?: string | string[] | undefined;
  /** Any other claim, also of a wrong type, to test how your app handles it. */
  [claim: string]: unknown;
}

/** Options of {@link TestTokenIssuer.mint}. */
export interface MintOptions {
  /** Seconds from now until `exp`; zero or less mints an expired token. @default 300 (WorkOS) */
  expiresIn?: number;
  /** Seconds from now for `nbf`. @default no `nbf` */
  notBefore?: number;
  /** The `kid` header, e.g. one the JWKS does not hold. @default the current key's kid */
  kid?: string;
  /** Extra protected-header parameters. `alg` is always RS256. */
  header?: Record<string, unknown>;
}

/** A local stand-in for WorkOS's token signing: a JWKS server plus RS256 minting. */
export interface TestTokenIssuer {
  /** `http://127.0.0.1:PORT/sso/jwks/<clientId>`: pass it as `session.jwksUrl`. */
  readonly jwksUrl: string;
  /** The `iss` of minted tokens: pass it in `session.issuers`. */
  readonly issuer: string;
  readonly clientId: string;
  /** How many times the JWKS has been fetched. */
  readonly fetchCount: number;
  /**
   * Mints an RS256 access token. Defaults: `sub` `user_…`, `sid` `session_…`, `iat` now, `exp` in
   * 5 minutes. Pass a claim as `undefined` to leave it out.
   */
  mint(claims?: TestTokenClaims, options?: MintOptions): Promise<string>;
  /** Signs with a new key from now on; earlier keys stay published. Returns the new `kid`. */
  rotateKey(): Promise<string>;
  /** The public keys the JWKS endpoint serves. */
  jwks(): JSONWebKeySet;
  /** Stops the server; afterwards the JWKS is unreachable, like a WorkOS outage. */
  close(): Promise<void>;
}

const idSegment = z.string().regex(/^[\w-]+$/, 'letters, digits, "_" and "-" only');
const issuerOptionsSchema = z
  .strictObject({
    issuer: z.string().min(1).optional(),
    clientId: idSegment.optional(),
    kid: z.string().min(1).optional(),
  })
  .optional();
const mintOptionsSchema = z
  .strictObject({
    expiresIn: z.number().finite().optional(),
    notBefore: z.number().finite().optional(),
    kid: z.string().min(1).optional(),
    header: z
      .record(z.string(), z.unknown())
      .refine((h) => !('alg' in h), 'alg is always RS256')
      .optional(),
  })
  .optional();
const claimsSchema = z.record(z.string(), z.unknown()).optional();

const randomId = () => crypto.randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase();

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/**
 * Starts a JWKS server on an ephemeral port and mints WorkOS-shaped RS256 access tokens, so tests
 * verify real signatures without WorkOS.
 *
 * @example
 * ```ts
 * const tokens = await createTestTokenIssuer()
 * const orgkit = createOrgkit({ database, session: { jwksUrl: tokens.jwksUrl, issuers: [tokens.issuer] } })
 * const session = await orgkit.verifyAccessToken(await tokens.mint({ org_id: 'org_1', role: 'admin' }))
 * await tokens.close()
 * ```
 */
export async function createTestTokenIssuer(
  options?: TestTokenIssuerOptions,
): Promise<TestTokenIssuer> {
  const o = parseInput(issuerOptionsSchema, options, 'createTestTokenIssuer') ?? {};
  const clientId = o.clientId ?? 'client_orgkit_test';
  const baseKid = o.kid ?? 'orgkit_test_key';
  const keys = [await createSigningKey(baseKid)];
  const jwks = (): JSONWebKeySet => ({ keys: keys.map((k) => ({ ...k.publicJwk })) });
  const jwksPath = `/sso/jwks/${clientId}`;
  let fetchCount = 0;

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== jwksPath) {
      res.writeHead(404).end();
      return;
    }
    fetchCount++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = o.issuer ?? base;
  let closed: Promise<void> | undefined;

  return {
    jwksUrl: `${base}${jwksPath}`,
    issuer,
    clientId,
    get fetchCount() {
      return fetchCount;
    },
    async mint(claims, mintOptions) {
      const c = parseInput(claimsSchema, claims, 'mint: claims') ?? {};
      const m = parseInput(mintOptionsSchema, mintOptions, 'mint') ?? {};
      const key = keys[keys.length - 1]!;
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        sub: `user_${randomId()}`,
        sid: `session_${randomId()}`,
        iss: issuer,
        iat: now,
        exp: now + (m.expiresIn ?? 300),
        ...(m.notBefore === undefined ? {} : { nbf: now + m.notBefore }),
        ...c,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ typ: 'JWT', ...m.header, alg: 'RS256', kid: m.kid ?? key.kid })
        .sign(key.privateKey);
    },
    async rotateKey() {
      const key = await createSigningKey(`${baseKid}_${keys.length + 1}`);
      keys.push(key);
      return key.kid;
    },
    jwks,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
