import type { OrgkitDatabase } from '../db/database.js';
import { isOrgkitError, OrgkitError, parseInput } from '../errors/index.js';
import { applyChange } from '../sync/apply-change.js';
import { recordMembershipChanges } from '../sync/membership-audit.js';
import { upsertChangeOf } from '../sync/mirror-event.js';
import type { CallContext } from '../workos-calls/call.js';
import { RateLimitGate } from '../workos-calls/retry.js';
import { type ClaimProgress, type ClaimRow, createClaims } from './claim.js';
import {
  guestCallOptionsSchema,
  guestInputSchema,
  meetingGuestInputSchema,
  type ParsedGuestInput,
} from './guest-input.js';
import { createGuestLimiter } from './limits.js';
import { findInMirror } from './mirror-lookup.js';
import { traceProvisioning } from './trace-provisioning.js';
import type { GuestsApi, GuestsDeps, GuestUser } from './types.js';
import { createHumanCheck } from './verify-human.js';
import {
  defaultOrganizationName,
  ensureMembership,
  ensureOrganization,
  ensureUser,
  sendMagicAuth,
  type WorkOSObject,
} from './workos-steps.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown inside a provisioning whose lease another caller took over after it expired. */
class LeaseLost extends Error {}

/**
 * Guest provisioning (seed 2.1–2.3), exactly once per normalised email: calls in one process
 * share one flight, and processes share a lease on the guest's claim row, so only its holder
 * talks to WorkOS while the others wait for its result. The claim row records each id as it is
 * obtained, so a failed attempt is finished, not repeated, by the next.
 * @internal
 */
export function createGuests(deps: GuestsDeps): GuestsApi {
  const { db, tables, options } = deps;
  const claims = createClaims(db, tables, options.magicAuthWindowMs);
  const gate = new RateLimitGate();
  const inFlight = new Map<string, Promise<GuestUser>>();
  const organizationName = options.organizationName ?? defaultOrganizationName;
  const checkHuman = createHumanCheck(options.verifyHuman, deps.scope);
  const limiter = createGuestLimiter(options.limits);

  const isDone = (row: ClaimRow) => row.completed && (!options.sendMagicAuth || row.magicAuthFresh);

  const finished = (row: ClaimRow): GuestUser => ({
    workosUserId: row.workosUserId!,
    organizationId: row.workosOrgId!,
    created: false,
    magicAuthSent: false,
  });

  async function mirror(kind: 'user' | 'organization' | 'membership', object: WorkOSObject) {
    const change = upsertChangeOf(kind, object);
    if (!change) {
      throw new OrgkitError(
        'internal',
        `createOrGetGuestUser: WorkOS returned a ${kind} orgkit cannot read`,
        {
          details: { id: object.id },
        },
      );
    }
    // A membership orgkit made is a role grant: recorded with its mirror row, once (a webhook
    // for it later finds the row as it is and records nothing).
    await db.transaction(async (tx) => {
      const outcome = await applyChange(tx, tables, change);
      const seen = (outcome.memberships ?? []).map((m) => ({ change: m }));
      await recordMembershipChanges(tx, deps.recordAudit, 'guest-provisioning', seen);
    });
  }

  /**
   * The ids the claim row lacks but the mirror holds (a guest that arrived by webhook or event
   * sync), recorded so they are not looked up in WorkOS.
   */
  async function withMirrored(
    email: string,
    row: ClaimRow,
    save: (progress: ClaimProgress) => Promise<void>,
  ): Promise<Pick<ClaimRow, 'workosUserId' | 'workosOrgId' | 'workosMembershipId'>> {
    const known = {
      workosUserId: row.workosUserId,
      workosOrgId: row.workosOrgId,
      workosMembershipId: row.workosMembershipId,
    };
    if (known.workosUserId && known.workosOrgId && known.workosMembershipId) return known;
    const mirrored = await findInMirror(db, tables, email);
    if (!mirrored || (known.workosUserId && known.workosUserId !== mirrored.workosUserId)) {
      return known;
    }
    const merged = {
      workosUserId: known.workosUserId ?? mirrored.workosUserId,
      workosOrgId: known.workosOrgId ?? mirrored.workosOrgId,
      workosMembershipId: known.workosMembershipId ?? mirrored.workosMembershipId,
    };
    await save(merged);
    return merged;
  }

  /** Provisions with the lease held; what is already recorded in `row` is not redone. */
  async function provisionHolding(guest: ParsedGuestInput, row: ClaimRow, token: string) {
    const { email } = guest;
    const workos = deps.workos!;
    const save = async (progress: ClaimProgress, extraMs = 0) => {
      if (!(await claims.save(email, token, options.leaseMs + extraMs, progress)))
        throw new LeaseLost();
    };
    const ctx: CallContext = {
      policy: options.retry,
      gate,
      sleep,
      beforeWait: (ms) => save({}, ms),
      telemetry: deps.telemetry,
    };

    const known = await withMirrored(email, row, save);
    let userId = known.workosUserId;
    let userJustCreated = false;
    if (!userId) {
      const user = await ensureUser(ctx, workos, guest);
      await mirror('user', user.value);
      await save({ workosUserId: user.value.id, userCreated: user.created });
      userId = user.value.id;
      userJustCreated = user.created;
    }

    let organizationId = known.workosOrgId;
    let organizationJustCreated = false;
    if (!organizationId) {
      const name = organizationName({
        workosUserId: userId,
        firstName: guest.firstName,
        lastName: guest.lastName,
      });
      const org = await ensureOrganization(ctx, workos, userId, name, userJustCreated);
      await mirror('organization', org.value);
      await save({ workosOrgId: org.value.id });
      organizationId = org.value.id;
      organizationJustCreated = org.created;
    }

    if (!known.workosMembershipId) {
      const ids = { workosUserId: userId, organizationId };
      const membership = await ensureMembership(
        ctx,
        workos,
        ids,
        options.ownerRole,
        organizationJustCreated,
      );
      await mirror('membership', membership.value);
      await save({ workosMembershipId: membership.value.id });
      await deps.invalidateUser(userId);
    }

    let magicAuthSent = false;
    if (options.sendMagicAuth && !row.magicAuthFresh) {
      await sendMagicAuth(ctx, workos, email);
      magicAuthSent = true;
    }
    const userCreated = userJustCreated || row.userCreated;
    // Recorded in the transaction that completes the claim row, which happens once per guest;
    // never the email (PII) nor the magic-auth code.
    const recordProvisioned = async (tx: OrgkitDatabase) => {
      await deps.recordAudit?.(
        [
          {
            action: 'guest.provisioned',
            resourceType: 'user',
            resourceId: userId,
            actor: { system: 'guest-provisioning' },
            organizationId,
            metadata: { userCreated, magicAuthSent },
          },
        ],
        { tx },
      );
    };
    if (!(await claims.release(email, token, { magicAuthSent }, recordProvisioned))) {
      throw new LeaseLost();
    }
    // `created` goes to the call that completes a provisioning whose user orgkit created, even
    // when an earlier, failed attempt made the user: one caller per guest sees it.
    const created = !row.completed && userCreated;
    return { workosUserId: userId, organizationId, created, magicAuthSent };
  }

  async function runHolding(guest: ParsedGuestInput, row: ClaimRow, token: string) {
    if (isDone(row)) {
      await claims.release(guest.email, token, { magicAuthSent: false });
      return finished(row);
    }
    try {
      return await provisionHolding(guest, row, token);
    } catch (error) {
      if (error instanceof LeaseLost) throw error;
      const failure = isOrgkitError(error)
        ? error
        : new OrgkitError('internal', 'createOrGetGuestUser: provisioning failed', {
            cause: error,
          });
      // If the release fails too, the lease simply expires and the next caller takes over.
      await claims
        .release(guest.email, token, { failed: `${failure.code}:${failure.reason ?? ''}` })
        .catch(() => undefined);
      throw failure;
    }
  }

  /** Returns the guest's result: from the record, by provisioning, or by waiting for its holder. */
  async function provision(guest: ParsedGuestInput): Promise<GuestUser> {
    const deadline = Date.now() + options.waitTimeoutMs;
    for (let pollMs = 10; ; pollMs = Math.min(pollMs * 2, 250)) {
      const row = await claims.read(guest.email);
      if (row && isDone(row)) return finished(row);
      if (!row?.leased) {
        const token = crypto.randomUUID();
        const held = await claims.acquire(guest.email, token, options.leaseMs);
        if (held) {
          try {
            return await runHolding(guest, held, token);
          } catch (error) {
            if (!(error instanceof LeaseLost)) throw error;
          }
        }
      }
      if (Date.now() >= deadline) {
        throw new OrgkitError(
          'conflict',
          'createOrGetGuestUser: another caller is still provisioning this guest; try again',
          { reason: 'provisioning_in_progress', details: { waitedMs: options.waitTimeoutMs } },
        );
      }
      await sleep(pollMs);
    }
  }

  const requireUsable = (what: string) => {
    if (deps.configProblem) {
      throw new OrgkitError('invalid_config', `${what}: ${deps.configProblem}`, {
        details: { key: 'guests.ownerRole' },
      });
    }
    if (deps.workos) return;
    throw new OrgkitError(
      'invalid_config',
      `${what}: workos: pass a WorkOS client (new WorkOS(...) from @workos-inc/node) to createOrgkit to provision guests`,
      { details: { key: 'workos' } },
    );
  };

  async function createOrGetGuestUser(
    input: unknown,
    callOptions: unknown,
    what = 'createOrGetGuestUser',
  ) {
    const guest = parseInput(guestInputSchema, input, what);
    const { humanToken } = parseInput(
      guestCallOptionsSchema,
      callOptions ?? {},
      `${what}: options`,
    );
    requireUsable(what);
    // The public booking form's defences, before anything is counted or created: the human
    // check first (a bot spends no one's limit), then the limits.
    await checkHuman(what, humanToken);
    await limiter.admit(what, { email: guest.email, ipAddress: deps.scope?.current()?.ipAddress });
    const running = inFlight.get(guest.email);
    if (running) {
      const result = await running;
      return { ...result, created: false, magicAuthSent: false };
    }
    const flight = provision(guest).finally(() => inFlight.delete(guest.email));
    inFlight.set(guest.email, flight);
    return flight;
  }

  return {
    createOrGetGuestUser: (input, callOptions) =>
      traceProvisioning(deps.telemetry, () => createOrGetGuestUser(input, callOptions)),
    async provisionMeetingGuest(booking, callOptions) {
      const { guestEmail, guestFirstName, guestLastName, metadata } = parseInput(
        meetingGuestInputSchema,
        booking,
        'provisionMeetingGuest',
      );
      const guest = await traceProvisioning(deps.telemetry, () =>
        createOrGetGuestUser(
          { email: guestEmail, firstName: guestFirstName, lastName: guestLastName, metadata },
          callOptions,
          'provisionMeetingGuest',
        ),
      );
      return {
        guestWorkosUserId: guest.workosUserId,
        guestOrgId: guest.organizationId,
        created: guest.created,
        magicAuthSent: guest.magicAuthSent,
      };
    },
  };
}
