import type { AuditRecorder } from '../audit/recorder.js';
import type { WorkOSClientLike } from '../config/workos-client.js';
import type { AuthorizeUserAction } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import { writeRevocationMarks } from '../sync/revocation-marks.js';
import { listAll, listingContext } from '../sync/workos-listing.js';
import { callWorkOS, statusOf } from '../workos-calls/call.js';
import { upstreamError } from '../workos-calls/upstream-error.js';
import type { RevocationApi, SignOutEverywhereResult } from './types.js';

/** What {@link createSignOutEverywhere} needs from `createOrgkit`. @internal */
export interface SignOutEverywhereDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  workos: WorkOSClientLike | undefined;
  authorizeUser: AuthorizeUserAction;
  recordAudit: AuditRecorder;
  /** Drops the user's cached record here and, through Redis, on every instance. */
  invalidateUser(userId: string): Promise<void>;
}

const OPERATION = 'signOutEverywhere';

/** @internal */
export function createSignOutEverywhere(deps: SignOutEverywhereDeps): RevocationApi {
  async function revokeWorkOSSessions(workos: WorkOSClientLike, userId: string): Promise<number> {
    const ctx = listingContext();
    const um = workos.userManagement;
    let revoked = 0;
    try {
      const sessions = (await listAll(ctx, OPERATION, (after) =>
        um.listSessions(userId, { limit: 100, ...(after ? { after } : {}) }),
      )) as { id?: unknown; status?: unknown }[];
      for (const session of sessions) {
        if (typeof session.id !== 'string' || (session.status ?? 'active') !== 'active') continue;
        const sessionId = session.id;
        try {
          await callWorkOS(ctx, OPERATION, () => um.revokeSession({ sessionId }));
          revoked++;
        } catch (error) {
          // Ended between the list and the revoke: what this call wanted anyway.
          if (statusOf(error) !== 404) throw error;
        }
      }
    } catch (error) {
      // A user WorkOS no longer has has no session left to revoke; their tokens still live.
      if (statusOf(error) === 404) return revoked;
      throw upstreamError(OPERATION, error);
    }
    return revoked;
  }

  return {
    async signOutEverywhere(userId, options): Promise<SignOutEverywhereResult> {
      const who = await deps.authorizeUser(OPERATION, userId, options);
      if (!deps.workos) {
        throw new OrgkitError(
          'invalid_config',
          'signOutEverywhere: needs the workos option (a @workos-inc/node client)',
          { details: { key: 'workos' } },
        );
      }
      // WorkOS first: a mark written before the sessions end would let a refresh in between mint
      // a token newer than the mark.
      const workosSessionsRevoked = await revokeWorkOSSessions(deps.workos, who.userId);
      const tokensRefusedBefore = await deps.db.transaction(async (tx) => {
        const at = new Date();
        await writeRevocationMarks(tx, deps.tables, [
          { userId: who.userId, kind: 'sessions', subject: '', at, cause: OPERATION },
        ]);
        await deps.recordAudit(
          [
            {
              action: 'user.sessions_revoked',
              resourceType: 'user',
              resourceId: who.userId,
              actor: who.actor,
              organizationId: who.organizationId,
              metadata: { userId: who.userId, cause: OPERATION, workosSessionsRevoked },
            },
          ],
          { tx },
        );
        return at;
      });
      await deps.invalidateUser(who.userId);
      return { userId: who.userId, workosSessionsRevoked, tokensRefusedBefore };
    },
  };
}
