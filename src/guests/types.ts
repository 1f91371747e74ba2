import type { AuditRecorder } from '../audit/recorder.js';
import type { WorkOSClientLike } from '../config/workos-client.js';
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { Telemetry } from '../telemetry/index.js';
import type { RetryPolicy } from '../workos-calls/retry.js';
import type { GuestCallOptions, GuestInput, MeetingGuestInput } from './guest-input.js';
import type { GuestLimitsOptions, ParsedGuestLimits } from './limits.js';
import type { VerifyHuman } from './verify-human.js';

export type { GuestCallOptions, GuestInput, MeetingGuestInput };

/** What {@link GuestsApi.createOrGetGuestUser} returns. */
export interface GuestUser {
  workosUserId: string;
  /** The guest's personal organization (`externalId` `personal:<workosUserId>`). */
  organizationId: string;
  /**
   * True for exactly one call per guest: the one whose provisioning created the WorkOS user.
   * Calls that found the user, or joined a provisioning already under way, get false.
   */
  created: boolean;
  /** True when this call sent a magic-auth code. */
  magicAuthSent: boolean;
}

/** What {@link GuestsApi.provisionMeetingGuest} returns: the ids a meeting row stores. */
export interface MeetingGuest {
  guestWorkosUserId: string;
  guestOrgId: string;
  created: boolean;
  magicAuthSent: boolean;
}

/** Guest provisioning (seed 2.1–2.3). */
export interface GuestsApi {
  /**
   * Makes sure a guest has a WorkOS user, a personal organization, an owner membership and a
   * fresh magic-auth code, exactly once however many calls race, in however many processes.
   * The email is trimmed and lower-cased first. A call that fails part-way (`upstream_unavailable`
   * after the retry budget) leaves a record the next call finishes from.
   *
   * Before anything is created, `guests.verifyHuman` (if set) checks `options.humanToken`, then
   * the attempt is counted against `guests.limits` (per client IP, per email, global).
   *
   * @throws OrgkitError `invalid_input` (bad email; no WorkOS call is made),
   *   `forbidden` (`human_verification_failed`: `verifyHuman` said no; nothing is created),
   *   `rate_limited` (a limit is used up; `details.retryAfterSeconds` says when to try again,
   *   adapters answer 429 with `Retry-After`),
   *   `upstream_unavailable` (WorkOS kept failing, or `verifyHuman` or the limits' store
   *   failed), `conflict` (another process held the guest longer than `guests.waitTimeoutMs`),
   *   `invalid_config` (no WorkOS client, or a refused key).
   * @example
   * ```ts
   * const guest = await orgkit.createOrGetGuestUser(
   *   { email: form.email, firstName: form.firstName },
   *   { humanToken: form['cf-turnstile-response'] },
   * )
   * ```
   */
  createOrGetGuestUser(input: GuestInput, options?: GuestCallOptions): Promise<GuestUser>;
  /**
   * Provisions a booking's guest and returns the ids to store on the meeting as
   * `guestWorkosUserId` and `guestOrgId` (seed 2.2). Checked and limited as
   * {@link GuestsApi.createOrGetGuestUser} is.
   */
  provisionMeetingGuest(
    booking: MeetingGuestInput,
    options?: GuestCallOptions,
  ): Promise<MeetingGuest>;
}

/** Options of guest provisioning (`createOrgkit({ guests })`). */
export interface GuestsOptions {
  /** The organization role the guest gets in their personal organization. @default 'owner' */
  ownerRole?: string;
  /** Send a magic-auth code when provisioning. @default true */
  sendMagicAuth?: boolean;
  /**
   * A repeat booking within this many ms of the last code sends no new one (WorkOS allows 3
   * sends per email per minute; a code stays valid 10 minutes). @default 600000
   */
  magicAuthWindowMs?: number;
  /** The personal organization's name. @default `${firstName} ${lastName} (personal)`, or 'Personal organization' */
  organizationName?: (guest: {
    workosUserId: string;
    firstName?: string;
    lastName?: string;
  }) => string;
  /** How long a claim on a guest lasts without progress before another caller may take over. @default 30000 */
  leaseMs?: number;
  /** How long a caller waits for another process provisioning the same guest. @default 60000 */
  waitTimeoutMs?: number;
  /** Retries of each WorkOS call. */
  retry?: Partial<RetryPolicy>;
  /**
   * Limits on provisioning, for a public booking form: per client IP, per normalised email and
   * global, counted in memory, Redis or Postgres. `false` turns them all off.
   * @default per IP 20, per email 10, global 1000, each per hour, in memory
   */
  limits?: GuestLimitsOptions | false;
  /**
   * Checks that a person sent the booking (Turnstile, hCaptcha, reCAPTCHA) before anything is
   * counted or created; `false` refuses with `forbidden` (`human_verification_failed`). Runs for
   * every call, also outside a request (`inRequest: false`), so a route without orgkit's
   * middleware is not left open.
   */
  verifyHuman?: VerifyHuman;
}

/** What guest provisioning needs from `createOrgkit`. @internal */
export interface GuestsDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  workos: WorkOSClientLike | undefined;
  options: Required<
    Omit<GuestsOptions, 'retry' | 'organizationName' | 'limits' | 'verifyHuman'>
  > & {
    retry: RetryPolicy;
    organizationName?: GuestsOptions['organizationName'];
    limits: ParsedGuestLimits;
    verifyHuman?: VerifyHuman | undefined;
  };
  /** The request scope the client IP and the human check's request come from. */
  scope?: RequestScopeStore | undefined;
  /** Why provisioning cannot run with this configuration, if it cannot. */
  configProblem?: string | undefined;
  invalidateUser(userId: string): Promise<void>;
  /** Spans and counts of provisionings and their WorkOS calls. @default off */
  telemetry?: Telemetry | undefined;
  /**
   * Records `guest.provisioned` with the completion, and the owner membership's
   * `membership.created` with its mirror write. `createOrgkit` always passes it; without it
   * nothing is recorded.
   */
  recordAudit?: AuditRecorder | undefined;
}
