import * as z from 'zod/mini';
import { envVar } from '../config/env.js';
import type { WorkOSClientLike } from '../config/workos-client.js';
import type { TrustProxy } from './client-ip.js';
import type { CookieAttributes } from './headers.js';

/** Sign-in with WorkOS AuthKit, kept in the SDK's sealed-session cookie. */
export interface SealedSessionOptions {
  /** A `@workos-inc/node` client made with your API key and `clientId` (refresh needs both). */
  workos: WorkOSClientLike;
  /** @default process.env.WORKOS_CLIENT_ID */
  clientId?: string | undefined;
  /** At least 32 characters; seals the cookie. @default process.env.WORKOS_COOKIE_PASSWORD */
  cookiePassword?: string | undefined;
  /** Your callback route's absolute URL, as registered with WorkOS. @default process.env.WORKOS_REDIRECT_URI */
  redirectUri?: string | undefined;
  /** @default 'wos-session' (AuthKit's name) */
  cookieName?: string | undefined;
  /** Cookie attributes; `HttpOnly` is always set, `Secure` outside localhost, `SameSite=Lax`. */
  cookie?: (CookieAttributes & { maxAgeSeconds?: number | undefined }) | undefined;
  /** Where sign-out lands after WorkOS ends the session (an absolute URL). */
  afterSignOutUrl?: string | undefined;
  /** How expired sessions are refreshed when several requests (and instances) carry one cookie. */
  refresh?: SessionRefreshOptions | undefined;
}

/**
 * Refresh of a sealed session whose access token expired. WorkOS refresh tokens work once, so
 * every instance that receives the same expired cookie must share one refresh.
 */
export interface SessionRefreshOptions {
  /**
   * Where instances behind one load balancer meet: `'postgres'` (orgkit's database, table
   * `orgkit_session_refreshes`) or `{ redis: { url } }` / `{ redis: { client } }`. Without it,
   * refreshes are shared inside one process only.
   */
  coordinate?:
    | 'postgres'
    | {
        redis:
          | { url: string; keyPrefix?: string | undefined }
          | { client: unknown; keyPrefix?: string | undefined };
      }
    | undefined;
  /**
   * How long a request still carrying the old cookie gets the session it was refreshed into
   * (with the new cookie) instead of a sign-out. @default 10000
   */
  graceMs?: number | undefined;
  /** How long a request waits for another instance's refresh of its cookie. @default 5000 */
  waitMs?: number | undefined;
}

/** Options shared by every adapter. */
export interface HttpAuthOptions {
  /** Which proxies may set `X-Forwarded-For`. @default false */
  trustProxy?: TrustProxy | undefined;
  /** Accept `Authorization: Bearer <access token>`. @default true */
  acceptBearer?: boolean | undefined;
  /** Where page routes send signed-out users (`?returnTo=` is added). @default '/sign-in' */
  signInUrl?: string | undefined;
  /** Sign-in, callback and sign-out with a sealed-session cookie. */
  session?: SealedSessionOptions | undefined;
  /**
   * Other origins whose pages may send state-changing requests with the session cookie
   * (`['https://admin.example.com']`). The request's own host and `session.redirectUri`'s origin
   * are always trusted; any other cross-site `POST`, `PUT`, `PATCH` or `DELETE` carrying the cookie
   * is refused with 403 `forbidden` (reason `cross_site_request`). Bearer-token requests are not
   * affected.
   * @default []
   */
  trustedOrigins?: readonly string[] | undefined;
  /** Told of errors that are not orgkit's (answered as a bare 500). @default console.error */
  onUnexpectedError?: ((error: unknown) => void) | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const localPath = z
  .string()
  .check(z.regex(/^\/(?![/\\])/, 'expected a path starting with one "/"'));
const nonEmpty = z.string().check(z.minLength(1));
const int = (...checks: z.core.$ZodCheck<number>[]) => z.number().check(z.int(), ...checks);

/** @internal */
export const httpAuthOptionsSchema = z.prefault(
  z.strictObject({
    trustProxy: z._default(
      z.union([
        z.boolean(),
        int(z.gte(0), z.lte(32)),
        z.readonly(z.array(nonEmpty).check(z.minLength(1))),
      ]),
      false,
    ),
    acceptBearer: z._default(z.boolean(), true),
    trustedOrigins: z._default(
      z.readonly(z.array(z.url({ protocol: /^https?$/, error: 'expected an http(s) origin' }))),
      [],
    ),
    signInUrl: z._default(z.union([localPath, z.url()]), '/sign-in'),
    onUnexpectedError: z._default(
      z.custom<(error: unknown) => void>((v) => typeof v === 'function', 'expected a function'),
      () => console.error,
    ),
    session: z.optional(
      z.strictObject({
        workos: z.custom<WorkOSClientLike>(
          (v) => isObject(v) && isObject(v.userManagement),
          'expected a WorkOS client (new WorkOS(...) from @workos-inc/node)',
        ),
        clientId: z.string().check(z.minLength(1, 'set clientId (or WORKOS_CLIENT_ID)')),
        cookiePassword: z
          .string()
          .check(z.minLength(32, 'set at least 32 characters (or WORKOS_COOKIE_PASSWORD)')),
        redirectUri: z.url({
          protocol: /^https?$/,
          error: 'set the callback URL (or WORKOS_REDIRECT_URI)',
        }),
        cookieName: z._default(z.string().check(z.regex(/^[\w.-]+$/)), 'wos-session'),
        cookie: z.prefault(
          z.strictObject({
            secure: z._default(z.union([z.boolean(), z.literal('auto')]), 'auto'),
            sameSite: z._default(z.enum(['lax', 'strict']), 'lax'),
            path: z._default(localPath, '/'),
            domain: z.optional(nonEmpty),
            maxAgeSeconds: z._default(int(z.positive()), 400 * 24 * 3600),
          }),
          {},
        ),
        afterSignOutUrl: z.optional(z.url()),
        refresh: z.prefault(
          z.strictObject({
            coordinate: z.optional(
              z.union([
                z.literal('postgres'),
                z.strictObject({
                  redis: z.union([
                    z.strictObject({ url: nonEmpty, keyPrefix: z.optional(nonEmpty) }),
                    z.strictObject({
                      client: z.custom<unknown>(isObject, 'expected an ioredis client'),
                      keyPrefix: z.optional(nonEmpty),
                    }),
                  ]),
                }),
              ]),
            ),
            graceMs: z._default(int(z.gte(0), z.lte(300_000)), 10_000),
            waitMs: z._default(int(z.gte(100), z.lte(60_000)), 5_000),
          }),
          {},
        ),
      }),
    ),
  }),
  {},
);

/** Fills the WorkOS SDKs' environment variables into unset session options. @internal */
export function withSessionEnv(options: HttpAuthOptions | undefined): unknown {
  const session = options?.session;
  if (!isObject(session)) return options;
  return {
    ...options,
    session: {
      ...session,
      clientId: session.clientId ?? envVar('WORKOS_CLIENT_ID'),
      cookiePassword: session.cookiePassword ?? envVar('WORKOS_COOKIE_PASSWORD'),
      redirectUri: session.redirectUri ?? envVar('WORKOS_REDIRECT_URI'),
    },
  };
}

/** Options after defaults. @internal */
export type ParsedHttpAuthOptions = z.output<typeof httpAuthOptionsSchema>;
/** @internal */
export type ParsedSessionOptions = NonNullable<ParsedHttpAuthOptions['session']>;
