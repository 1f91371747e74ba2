import * as z from 'zod';
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
const localPath = z.string().regex(/^\/(?![/\\])/, 'expected a path starting with one "/"');

/** @internal */
export const httpAuthOptionsSchema = z
  .strictObject({
    trustProxy: z
      .union([
        z.boolean(),
        z.number().int().min(0).max(32),
        z.array(z.string().min(1)).min(1).readonly(),
      ])
      .default(false),
    acceptBearer: z.boolean().default(true),
    trustedOrigins: z
      .array(z.url({ protocol: /^https?$/, error: 'expected an http(s) origin' }))
      .readonly()
      .default([]),
    signInUrl: z.union([localPath, z.url()]).default('/sign-in'),
    onUnexpectedError: z
      .custom<(error: unknown) => void>((v) => typeof v === 'function', 'expected a function')
      .default(() => console.error),
    session: z
      .strictObject({
        workos: z.custom<WorkOSClientLike>(
          (v) => isObject(v) && isObject(v.userManagement),
          'expected a WorkOS client (new WorkOS(...) from @workos-inc/node)',
        ),
        clientId: z.string().min(1, 'set clientId (or WORKOS_CLIENT_ID)'),
        cookiePassword: z
          .string()
          .min(32, 'set at least 32 characters (or WORKOS_COOKIE_PASSWORD)'),
        redirectUri: z.url({
          protocol: /^https?$/,
          error: 'set the callback URL (or WORKOS_REDIRECT_URI)',
        }),
        cookieName: z
          .string()
          .regex(/^[\w.-]+$/)
          .default('wos-session'),
        cookie: z
          .strictObject({
            secure: z.union([z.boolean(), z.literal('auto')]).default('auto'),
            sameSite: z.enum(['lax', 'strict']).default('lax'),
            path: localPath.default('/'),
            domain: z.string().min(1).optional(),
            maxAgeSeconds: z
              .number()
              .int()
              .positive()
              .default(400 * 24 * 3600),
          })
          .prefault({}),
        afterSignOutUrl: z.url().optional(),
        refresh: z
          .strictObject({
            coordinate: z
              .union([
                z.literal('postgres'),
                z.strictObject({
                  redis: z.union([
                    z.strictObject({
                      url: z.string().min(1),
                      keyPrefix: z.string().min(1).optional(),
                    }),
                    z.strictObject({
                      client: z.custom<unknown>(isObject, 'expected an ioredis client'),
                      keyPrefix: z.string().min(1).optional(),
                    }),
                  ]),
                }),
              ])
              .optional(),
            graceMs: z.number().int().min(0).max(300_000).default(10_000),
            waitMs: z.number().int().min(100).max(60_000).default(5_000),
          })
          .prefault({}),
      })
      .optional(),
  })
  .prefault({});

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
