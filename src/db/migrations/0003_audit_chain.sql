CREATE TABLE "orgkit_audit_checkpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"chain" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"events_purged" bigint DEFAULT 0 NOT NULL,
	"cutoff" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orgkit_audit_heads" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orgkit_audit_outbox" (
	"event_id" bigint PRIMARY KEY NOT NULL,
	"workos_org_id" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_token" text,
	"lease_expires_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "audit_logs_org_time_idx";--> statement-breakpoint
DROP INDEX "audit_logs_actor_time_idx";--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "actor_system" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "old_values" jsonb;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "new_values" jsonb;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "orgkit_audit_checkpoints_chain_seq_idx" ON "orgkit_audit_checkpoints" USING btree ("chain","seq");--> statement-breakpoint
CREATE INDEX "orgkit_audit_outbox_due_idx" ON "orgkit_audit_outbox" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_logs_chain_seq_idx" ON "audit_logs" USING btree (coalesce("workos_org_id", ''),"seq");--> statement-breakpoint
CREATE INDEX "audit_logs_target_time_idx" ON "audit_logs" USING btree ("workos_org_id","target_type","target_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_action_time_idx" ON "audit_logs" USING btree ("workos_org_id","action","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_time_idx" ON "audit_logs" USING btree ("workos_org_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_actor_time_idx" ON "audit_logs" USING btree ("actor_workos_user_id","occurred_at","id");--> statement-breakpoint
-- Everything below is written by hand: the hash chain and the append-only rule live in the
-- database, so they hold for every writer, not only for orgkit.
--
-- The SECURITY DEFINER functions must not resolve names through a search_path a caller can
-- change: they are pinned to the schema this migration runs in (then pg_catalog, pg_temp last).
SELECT set_config('search_path', quote_ident(current_schema()) || ', pg_catalog, pg_temp', true);
--> statement-breakpoint
-- One field of the canonical form: "~" for NULL, else "<byte length>:<text>", then a newline.
-- Length-prefixed, so no value can imitate a field boundary. src/audit/canonical.ts is the
-- same function in TypeScript; the verifier uses that one.
--
-- This and orgkit_audit_hash carry no SET search_path on purpose: a function with a SET clause
-- is never inlined, which made every event cost ~200 µs more. They run as the caller (not
-- SECURITY DEFINER), inside the trigger, whose search_path is pinned.
CREATE FUNCTION orgkit_audit_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN value IS NULL THEN '~' ELSE octet_length(value)::text || ':' || value END || chr(10) $$;
--> statement-breakpoint
-- The hex SHA-256 of an event's canonical form: every stored field, and the previous hash.
CREATE FUNCTION orgkit_audit_hash(
  seq bigint, id bigint, occurred_at timestamptz, action text, outcome text,
  actor_workos_user_id text, actor_system text, workos_org_id text, target_type text,
  target_id text, ip_address text, user_agent text, request_id text,
  old_values jsonb, new_values jsonb, metadata jsonb, prev_hash text
) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT encode(sha256(convert_to(
  'orgkit-audit-v1' || chr(10)
  || orgkit_audit_field(seq::text)
  || orgkit_audit_field(id::text)
  || orgkit_audit_field(to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
  || orgkit_audit_field(action)
  || orgkit_audit_field(outcome)
  || orgkit_audit_field(actor_workos_user_id)
  || orgkit_audit_field(actor_system)
  || orgkit_audit_field(workos_org_id)
  || orgkit_audit_field(target_type)
  || orgkit_audit_field(target_id)
  || orgkit_audit_field(ip_address)
  || orgkit_audit_field(user_agent)
  || orgkit_audit_field(request_id)
  || orgkit_audit_field(old_values::text)
  || orgkit_audit_field(new_values::text)
  || orgkit_audit_field(metadata::text)
  || orgkit_audit_field(prev_hash),
  'UTF8')), 'hex') $$;
--> statement-breakpoint
-- Existing events (written before this migration) become the start of their chains, in id order.
DO $$
DECLARE
  r record;
  head_seq bigint;
  head_hash text;
  new_hash text;
BEGIN
  FOR r IN SELECT * FROM audit_logs ORDER BY id LOOP
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM orgkit_audit_heads h WHERE h.chain = coalesce(r.workos_org_id, '');
    IF NOT FOUND THEN
      head_seq := 0;
      head_hash := repeat('0', 64);
    END IF;
    new_hash := orgkit_audit_hash(head_seq + 1, r.id, r.occurred_at, r.action, r.outcome,
      r.actor_workos_user_id, r.actor_system, r.workos_org_id, r.target_type, r.target_id,
      r.ip_address, r.user_agent, r.request_id, r.old_values, r.new_values, r.metadata, head_hash);
    UPDATE audit_logs SET seq = head_seq + 1, prev_hash = head_hash, hash = new_hash WHERE id = r.id;
    INSERT INTO orgkit_audit_heads (chain, seq, hash) VALUES (coalesce(r.workos_org_id, ''), head_seq + 1, new_hash)
      ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
  END LOOP;
END $$;
--> statement-breakpoint
ALTER TABLE "audit_logs" ALTER COLUMN "seq" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_logs" ALTER COLUMN "prev_hash" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_logs" ALTER COLUMN "hash" SET NOT NULL;
--> statement-breakpoint
-- Links each new event to its chain. The head row's lock serialises writers of one chain across
-- connections and processes until they commit (other chains are not held up); under READ
-- COMMITTED the locked read returns the newest head, and under REPEATABLE READ a concurrent
-- append is a serialization error, never a fork. The database clock sets the time, in
-- milliseconds so it survives a round trip through a JavaScript Date.
CREATE FUNCTION orgkit_audit_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  chain_key text := coalesce(NEW.workos_org_id, '');
  head_seq bigint;
  head_hash text;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM orgkit_audit_heads h WHERE h.chain = chain_key FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO orgkit_audit_heads (chain, seq, hash) VALUES (chain_key, 0, repeat('0', 64))
      ON CONFLICT (chain) DO NOTHING;
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM orgkit_audit_heads h WHERE h.chain = chain_key FOR UPDATE;
  END IF;
  NEW.occurred_at := date_trunc('milliseconds', clock_timestamp());
  NEW.seq := head_seq + 1;
  NEW.prev_hash := head_hash;
  NEW.hash := orgkit_audit_hash(NEW.seq, NEW.id, NEW.occurred_at, NEW.action, NEW.outcome,
    NEW.actor_workos_user_id, NEW.actor_system, NEW.workos_org_id, NEW.target_type, NEW.target_id,
    NEW.ip_address, NEW.user_agent, NEW.request_id, NEW.old_values, NEW.new_values, NEW.metadata,
    NEW.prev_hash);
  UPDATE orgkit_audit_heads SET seq = NEW.seq, hash = NEW.hash WHERE chain = chain_key;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER orgkit_audit_link BEFORE INSERT ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION orgkit_audit_link();
--> statement-breakpoint
-- Audit events are never changed. They are removed only by a purge, and only those a purge
-- checkpoint covers (recorded first, in a table that is itself append-only).
CREATE FUNCTION orgkit_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
BEGIN
  RAISE EXCEPTION 'orgkit: % is append-only; % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit events are removed only by orgkit audit purge, after their retention period.';
END $$;
--> statement-breakpoint
CREATE FUNCTION orgkit_audit_delete_if_purged() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM orgkit_audit_checkpoints c
    WHERE c.kind = 'purge' AND c.chain = coalesce(OLD.workos_org_id, '')
      AND c.seq >= OLD.seq AND OLD.occurred_at < c.cutoff
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'orgkit: % is append-only; % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit events are removed only by orgkit audit purge, after their retention period.';
END $$;
--> statement-breakpoint
CREATE TRIGGER orgkit_audit_no_update BEFORE UPDATE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION orgkit_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER orgkit_audit_purge_only BEFORE DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION orgkit_audit_delete_if_purged();
--> statement-breakpoint
CREATE TRIGGER orgkit_audit_no_truncate BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION orgkit_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER orgkit_audit_append_only BEFORE UPDATE OR DELETE ON orgkit_audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION orgkit_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER orgkit_audit_no_truncate BEFORE TRUNCATE ON orgkit_audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION orgkit_audit_refuse_change();
--> statement-breakpoint
-- The request role only ever inserts and reads events; the chain's bookkeeping is not its to touch.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON orgkit_audit_heads, orgkit_audit_checkpoints, orgkit_audit_outbox FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION orgkit_audit_link(), orgkit_audit_refuse_change(), orgkit_audit_delete_if_purged() FROM PUBLIC;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM authenticated;
    REVOKE ALL ON orgkit_audit_heads, orgkit_audit_checkpoints, orgkit_audit_outbox FROM authenticated;
  END IF;
END $$;
