import { type SQL, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import { rowsOf } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { auditEventHash, GENESIS_HASH, type StoredAuditFields } from './canonical.js';
import type { AuditCheckpoint } from './checkpoint.js';

/** How a chain is broken. */
export type AuditChainProblemKind =
  /** The event's fields no longer produce its hash: it was changed after it was written. */
  | 'hash_mismatch'
  /** The event's `prev_hash` is not the previous event's hash: the chain was re-linked. */
  | 'broken_link'
  /** Sequence numbers skip: events were removed. */
  | 'missing_events'
  /** The chain's newest event is not the head the database recorded: newer events were removed. */
  | 'head_mismatch'
  /** The chain disagrees with a checkpoint kept outside the database. */
  | 'checkpoint_mismatch';

/** The first broken link of a chain. */
export interface AuditChainProblem {
  organizationId: string | null;
  kind: AuditChainProblemKind;
  /** The sequence number where the chain breaks. */
  seq: number;
  /** The event's row id, when the event exists. */
  id: string | null;
  /** What was expected there and what was found (hashes or sequence numbers). */
  expected: string;
  actual: string;
  message: string;
}

/** One chain's verdict. */
export interface AuditChainStatus {
  organizationId: string | null;
  /** Events checked. */
  events: number;
  /**
   * Where checking started: 1, the event after the last purge checkpoint, or (incremental) the
   * event after the checkpoint's head.
   */
  firstSeq: number;
  lastSeq: number;
  valid: boolean;
  problem: AuditChainProblem | null;
}

/** What `verifyAuditChain` found. */
export interface AuditChainReport {
  valid: boolean;
  eventsChecked: number;
  chains: AuditChainStatus[];
  /** The first problem of the first broken chain, or `null`. */
  firstProblem: AuditChainProblem | null;
}

/** Options of `verifyAuditChain`. */
export interface VerifyAuditChainOptions {
  /** Only this organization's chain (`null`: the chain of events without one). @default every chain */
  organizationId?: string | null | undefined;
  /**
   * A checkpoint from `createAuditCheckpoint` kept outside the database: every chain it lists
   * must still reach its sequence number with its hash, which catches a chain that was removed,
   * cut short or rebuilt.
   */
  checkpoint?: AuditCheckpoint | undefined;
  /**
   * With `checkpoint`: check only the events written after it, each chain from the head the
   * checkpoint recorded (whose event must still be there with that hash). What the checkpoint
   * vouches for was checked when it was taken (`orgkit audit checkpoint` verifies first), so a
   * daily check costs what was written since, not the whole history. Chains are found through
   * the database's chain heads; a full verify also finds events whose head was deleted.
   * @default false
   */
  incremental?: boolean | undefined;
}

const PAGE = 1_000;
const chainKey = (organizationId: string | null) => organizationId ?? '';
const organizationOf = (chain: string) => (chain === '' ? null : chain);

interface StoredRow extends StoredAuditFields {
  chain: string;
  hash: string;
}

interface ChainStart {
  seq: number;
  hash: string;
}

/**
 * Recomputes each chain from its first event (or its last purge checkpoint) in pages of 1,000,
 * in constant memory, checking sequence numbers, links and hashes, then the head the database
 * recorded and, if given, an outside checkpoint. Stops a chain at its first problem.
 * @internal
 */
export async function verifyAuditChains(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  options: {
    organizationId?: string | null | undefined;
    checkpoint?: AuditCheckpoint | undefined;
    incremental?: boolean | undefined;
  },
): Promise<AuditChainReport> {
  const t = tables.auditLogs;
  const only = options.organizationId === undefined ? undefined : chainKey(options.organizationId);
  const chainFilter = (column: SQL) => (only === undefined ? sql`true` : sql`${column} = ${only}`);

  const starts = new Map<string, ChainStart>(
    rowsOf<{ chain: string; seq: string; hash: string }>(
      await db.execute(sql`
        SELECT DISTINCT ON (chain) chain, seq::text AS seq, hash
        FROM ${tables.auditCheckpoints}
        WHERE kind = 'purge' AND ${chainFilter(sql`chain`)}
        ORDER BY chain, seq DESC`),
    ).map((r) => [r.chain, { seq: Number(r.seq), hash: r.hash }]),
  );
  const heads = new Map<string, ChainStart>(
    rowsOf<{ chain: string; seq: string; hash: string }>(
      await db.execute(sql`
        SELECT chain, seq::text AS seq, hash FROM ${tables.auditHeads}
        WHERE seq > 0 AND ${chainFilter(sql`chain`)}`),
    ).map((r) => [r.chain, { seq: Number(r.seq), hash: r.hash }]),
  );
  const outside = new Map<string, ChainStart>(
    (options.checkpoint?.chains ?? [])
      .filter((c) => only === undefined || chainKey(c.organizationId) === only)
      .map((c) => [chainKey(c.organizationId), { seq: c.seq, hash: c.hash }]),
  );

  // Incremental: a chain starts after the checkpoint's head, unless a later purge moved it on.
  const marksToProbe = new Map<string, ChainStart>();
  if (options.incremental) {
    for (const [chain, mark] of outside) {
      const purged = starts.get(chain);
      if (purged && purged.seq >= mark.seq) continue;
      starts.set(chain, mark);
      marksToProbe.set(chain, mark);
    }
  }

  const chains: AuditChainStatus[] = [];
  let current:
    | (AuditChainStatus & { chain: string; expectedSeq: number; expectedPrev: string })
    | undefined;

  const open = (chain: string) => {
    const start = starts.get(chain);
    current = {
      chain,
      organizationId: organizationOf(chain),
      events: 0,
      firstSeq: (start?.seq ?? 0) + 1,
      lastSeq: start?.seq ?? 0,
      valid: true,
      problem: null,
      expectedSeq: (start?.seq ?? 0) + 1,
      expectedPrev: start?.hash ?? GENESIS_HASH,
    };
  };
  const fail = (
    kind: AuditChainProblemKind,
    seq: number,
    id: string | null,
    expected: string,
    actual: string,
    message: string,
  ) => {
    if (!current || current.problem) return;
    current.valid = false;
    current.problem = {
      organizationId: current.organizationId,
      kind,
      seq,
      id,
      expected,
      actual,
      message,
    };
  };
  const close = () => {
    if (!current) return;
    const c = current;
    const head = heads.get(c.chain);
    if (
      !c.problem &&
      head &&
      (head.seq !== c.lastSeq || (c.events > 0 && head.hash !== c.expectedPrev))
    ) {
      fail(
        'head_mismatch',
        c.lastSeq + 1,
        null,
        `seq ${head.seq}`,
        `seq ${c.lastSeq}`,
        `the database recorded events up to seq ${head.seq}, but the chain ends at seq ${c.lastSeq}: newer events were removed or the head was altered`,
      );
    }
    const mark = outside.get(c.chain);
    if (!c.problem && mark && mark.seq > c.lastSeq) {
      fail(
        'checkpoint_mismatch',
        mark.seq,
        null,
        `seq ${mark.seq}`,
        `seq ${c.lastSeq}`,
        `the checkpoint recorded seq ${mark.seq}, but the chain ends at seq ${c.lastSeq}: events were removed`,
      );
    }
    outside.delete(c.chain);
    const { chain: _chain, expectedSeq: _seq, expectedPrev: _prev, ...status } = c;
    chains.push(status);
    current = undefined;
  };

  const check = (row: StoredRow) => {
    if (current?.chain !== row.chain) {
      close();
      open(row.chain);
    }
    const c = current!;
    const seq = Number(row.seq);
    if (c.problem || seq < c.expectedSeq) return; // already broken, or covered by a purge
    c.events += 1;
    c.lastSeq = seq;
    if (seq !== c.expectedSeq) {
      fail(
        'missing_events',
        c.expectedSeq,
        row.id,
        `seq ${c.expectedSeq}`,
        `seq ${seq}`,
        `events ${c.expectedSeq}–${seq - 1} are missing before event ${row.id}`,
      );
    } else if (row.prevHash !== c.expectedPrev) {
      fail(
        'broken_link',
        seq,
        row.id,
        c.expectedPrev,
        row.prevHash,
        `event seq ${seq} (id ${row.id}) does not link to the event before it`,
      );
    } else if (auditEventHash(row) !== row.hash) {
      fail(
        'hash_mismatch',
        seq,
        row.id,
        auditEventHash(row),
        row.hash,
        `event seq ${seq} (id ${row.id}) was changed after it was written: its fields no longer produce its hash`,
      );
    }
    const mark = outside.get(c.chain);
    if (mark && mark.seq === seq && mark.hash !== row.hash && !c.problem) {
      fail(
        'checkpoint_mismatch',
        seq,
        row.id,
        mark.hash,
        row.hash,
        `event seq ${seq} (id ${row.id}) is not the event the checkpoint recorded: the chain was rebuilt`,
      );
    }
    c.expectedSeq = seq + 1;
    c.expectedPrev = row.hash;
  };

  const select = (where: SQL) =>
    db.execute(sql`
      SELECT coalesce(${t.workosOrgId}, '') AS chain, ${t.seq}::text AS seq, ${t.id}::text AS id,
        to_char(${t.occurredAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
        ${t.action} AS action, ${t.outcome} AS outcome,
        ${t.actorWorkosUserId} AS "actorWorkosUserId", ${t.actorSystem} AS "actorSystem",
        ${t.workosOrgId} AS "workosOrgId", ${t.targetType} AS "targetType", ${t.targetId} AS "targetId",
        ${t.ipAddress} AS "ipAddress", ${t.userAgent} AS "userAgent", ${t.requestId} AS "requestId",
        ${t.oldValues}::text AS "oldValues", ${t.newValues}::text AS "newValues",
        ${t.metadata}::text AS metadata, ${t.prevHash} AS "prevHash", ${t.hash} AS hash,
        ${t.subjectIds}::text AS "subjectIds", ${t.impersonator} AS impersonator,
        ${t.impersonationReason} AS "impersonationReason"
      FROM ${t}
      WHERE ${where}
      ORDER BY coalesce(${t.workosOrgId}, ''), ${t.seq}
      LIMIT ${PAGE}`);
  const chainOf = sql`coalesce(${t.workosOrgId}, '')`;

  if (options.incremental) {
    // Chain by chain from its start: one index range each, however long the history before it.
    const known = [...new Set([...heads.keys(), ...outside.keys()])].filter(
      (chain) => only === undefined || chain === only,
    );
    for (const chain of known.sort()) {
      open(chain);
      // The checkpoint's own event is read with the rest: it must still be there, unchanged.
      let mark = marksToProbe.get(chain);
      let after = mark ? mark.seq - 1 : current!.lastSeq;
      while (!current!.problem) {
        const rows = rowsOf<StoredRow>(
          await select(sql`${chainOf} = ${chain} AND ${t.seq} > ${after}`),
        );
        const fetched = rows.length;
        if (mark) {
          const first = rows[0];
          if (first?.hash !== mark.hash || Number(first.seq) !== mark.seq) {
            const found = first && Number(first.seq) === mark.seq ? first : undefined;
            fail(
              'checkpoint_mismatch',
              mark.seq,
              found?.id ?? null,
              mark.hash,
              found?.hash ?? 'no event',
              `event seq ${mark.seq} is not the event the checkpoint recorded: the chain was cut or rebuilt`,
            );
            break;
          }
          rows.shift();
          mark = undefined;
        }
        for (const row of rows) check(row);
        after = Number(rows.at(-1)?.seq ?? after);
        // A short page is the chain's end: no query for an empty one.
        if (fetched < PAGE) break;
      }
      close();
    }
  } else {
    let after: { chain: string; seq: number } | undefined;
    for (;;) {
      const position = after
        ? sql`(${chainOf}, ${t.seq}) > (${after.chain}, ${after.seq})`
        : sql`true`;
      const rows = rowsOf<StoredRow>(await select(sql`${chainFilter(chainOf)} AND ${position}`));
      for (const row of rows) check(row);
      const last = rows[rows.length - 1];
      if (!last) break;
      after = { chain: last.chain, seq: Number(last.seq) };
    }
  }
  close();

  // Chains the database or the checkpoint knows of that have no events left at all.
  const seen = new Set(chains.map((c) => chainKey(c.organizationId)));
  for (const [chain, mark] of [...heads, ...outside]) {
    if (seen.has(chain)) continue;
    seen.add(chain);
    open(chain);
    fail(
      'missing_events',
      current!.firstSeq,
      null,
      `seq ${mark.seq}`,
      'no events',
      `the chain of ${chain === '' ? 'events without an organization' : `organization ${chain}`} should reach seq ${mark.seq} but has no events`,
    );
    const { chain: _chain, expectedSeq: _seq, expectedPrev: _prev, ...status } = current!;
    chains.push(status);
    current = undefined;
  }

  const broken = chains.find((c) => !c.valid);
  return {
    valid: !broken,
    eventsChecked: chains.reduce((n, c) => n + c.events, 0),
    chains,
    firstProblem: broken?.problem ?? null,
  };
}
