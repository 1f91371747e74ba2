CREATE TABLE "orgkit_emergency_access" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"grantee_workos_user_id" text NOT NULL,
	"workos_org_id" text,
	"subject_id" text,
	"resource_type" text,
	"resource_id" text,
	"reason" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"reviewed_at" timestamp with time zone,
	"reviewer_workos_user_id" text,
	"review_outcome" text,
	"review_note" text,
	CONSTRAINT "orgkit_emergency_access_reason_check" CHECK (length(btrim("orgkit_emergency_access"."reason")) >= 3),
	CONSTRAINT "orgkit_emergency_access_target_check" CHECK (("orgkit_emergency_access"."subject_id" IS NOT NULL) OR ("orgkit_emergency_access"."resource_type" IS NOT NULL AND "orgkit_emergency_access"."resource_id" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "subject_ids" text[];--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "impersonator" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "impersonation_reason" text;--> statement-breakpoint
CREATE INDEX "orgkit_emergency_access_grantee_idx" ON "orgkit_emergency_access" USING btree ("grantee_workos_user_id","expires_at");--> statement-breakpoint
CREATE INDEX "orgkit_emergency_access_review_idx" ON "orgkit_emergency_access" USING btree ("workos_org_id","granted_at") WHERE "orgkit_emergency_access"."reviewed_at" IS NULL;--> statement-breakpoint
CREATE INDEX "audit_logs_subject_idx" ON "audit_logs" USING gin ("subject_ids");--> statement-breakpoint
-- Everything below is written by hand (as in 0003, the search_path is pinned to this schema).
SELECT set_config('search_path', quote_ident(current_schema()) || ', pg_catalog, pg_temp', true);
--> statement-breakpoint
-- The canonical form v1 plus an extension block holding the data subjects and the impersonator.
-- The block is appended only when one of them is set, so every event written before this
-- migration (and every event without them) keeps its v1 hash and the chains still verify.
-- src/audit/canonical.ts is the same function in TypeScript.
CREATE FUNCTION orgkit_audit_hash_ext(
  seq bigint, id bigint, occurred_at timestamptz, action text, outcome text,
  actor_workos_user_id text, actor_system text, workos_org_id text, target_type text,
  target_id text, ip_address text, user_agent text, request_id text,
  old_values jsonb, new_values jsonb, metadata jsonb, prev_hash text,
  subject_ids text[], impersonator text, impersonation_reason text
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
  || orgkit_audit_field(prev_hash)
  || CASE WHEN subject_ids IS NULL AND impersonator IS NULL AND impersonation_reason IS NULL THEN ''
     ELSE 'ext-1' || chr(10)
       || orgkit_audit_field(subject_ids::text)
       || orgkit_audit_field(impersonator)
       || orgkit_audit_field(impersonation_reason)
     END,
  'UTF8')), 'hex') $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION orgkit_audit_link() RETURNS trigger
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
  -- An empty subject list is stored as none, so the two cannot hash differently.
  IF cardinality(NEW.subject_ids) = 0 THEN NEW.subject_ids := NULL; END IF;
  NEW.hash := orgkit_audit_hash_ext(NEW.seq, NEW.id, NEW.occurred_at, NEW.action, NEW.outcome,
    NEW.actor_workos_user_id, NEW.actor_system, NEW.workos_org_id, NEW.target_type, NEW.target_id,
    NEW.ip_address, NEW.user_agent, NEW.request_id, NEW.old_values, NEW.new_values, NEW.metadata,
    NEW.prev_hash, NEW.subject_ids, NEW.impersonator, NEW.impersonation_reason);
  UPDATE orgkit_audit_heads SET seq = NEW.seq, hash = NEW.hash WHERE chain = chain_key;
  RETURN NEW;
END $$;
--> statement-breakpoint
-- A grant is written once; later only its review is filled in, once. It is never deleted: the
-- review list and the audit events refer to it.
CREATE FUNCTION orgkit_emergency_access_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
BEGIN
  IF OLD.reviewed_at IS NULL AND NEW.reviewed_at IS NOT NULL
    AND (NEW.id, NEW.grantee_workos_user_id, NEW.workos_org_id, NEW.subject_id, NEW.resource_type,
         NEW.resource_id, NEW.reason, NEW.granted_at, NEW.expires_at)
      IS NOT DISTINCT FROM
        (OLD.id, OLD.grantee_workos_user_id, OLD.workos_org_id, OLD.subject_id, OLD.resource_type,
         OLD.resource_id, OLD.reason, OLD.granted_at, OLD.expires_at)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'orgkit: an emergency access grant is changed only by its one review'
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER orgkit_emergency_access_review_only BEFORE UPDATE ON orgkit_emergency_access
  FOR EACH ROW EXECUTE FUNCTION orgkit_emergency_access_guard();
--> statement-breakpoint
CREATE TRIGGER orgkit_emergency_access_no_delete BEFORE DELETE ON orgkit_emergency_access
  FOR EACH ROW EXECUTE FUNCTION orgkit_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER orgkit_emergency_access_no_truncate BEFORE TRUNCATE ON orgkit_emergency_access
  FOR EACH STATEMENT EXECUTE FUNCTION orgkit_audit_refuse_change();
--> statement-breakpoint
REVOKE ALL ON orgkit_emergency_access FROM PUBLIC;
--> statement-breakpoint
-- A trigger fires without EXECUTE: revoke it from PUBLIC and from every role a platform's default
-- privileges granted it to (Supabase: anon, authenticated, service_role), as 0004 does.
DO $$
DECLARE
  grantee text;
BEGIN
  REVOKE ALL ON FUNCTION orgkit_emergency_access_guard() FROM PUBLIC;
  FOR grantee IN
    SELECT DISTINCT a.grantee::regrole::text
    FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
    WHERE p.oid = 'orgkit_emergency_access_guard()'::regprocedure
      AND a.grantee <> 0 AND a.grantee <> p.proowner
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION orgkit_emergency_access_guard() FROM %s', grantee);
  END LOOP;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    REVOKE ALL ON orgkit_emergency_access FROM authenticated;
  END IF;
END $$;
