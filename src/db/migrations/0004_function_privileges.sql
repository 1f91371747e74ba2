-- Written by hand (drizzle-kit generate --custom): no table changes.
--
-- The audit trigger functions of 0003 are SECURITY DEFINER. A trigger fires without EXECUTE
-- on its function, so no role needs the privilege, yet 0003's REVOKE … FROM PUBLIC left the
-- grants a platform's default privileges add (Supabase gives anon, authenticated and
-- service_role EXECUTE on every function created in public, callable through
-- /rest/v1/rpc). Revoke EXECUTE from PUBLIC and from every role but the owner.
DO $$
DECLARE
  fn regprocedure;
  grantee text;
BEGIN
  FOREACH fn IN ARRAY ARRAY[
    'orgkit_audit_link()'::regprocedure,
    'orgkit_audit_refuse_change()'::regprocedure,
    'orgkit_audit_delete_if_purged()'::regprocedure
  ] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    FOR grantee IN
      SELECT DISTINCT a.grantee::regrole::text
      FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
      WHERE p.oid = fn AND a.grantee <> 0 AND a.grantee <> p.proowner
    LOOP
      EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %s', fn, grantee);
    END LOOP;
  END LOOP;
END $$;
