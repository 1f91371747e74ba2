import type { Session } from 'orgkit';
import { type FixtureCounts, getFixture } from '../../lib/auth';

export const dynamic = 'force-dynamic';

/**
 * The page and a component it renders each call `withAuth`, as an app's layout, page and widgets
 * do. The component reports what both calls cost: the counters' growth during this render (the
 * test sends one request at a time).
 */
export default async function Dashboard() {
  const { auth, counts } = await getFixture();
  const before: FixtureCounts = { ...counts };
  const { session, roles } = await auth.withAuth({ requiredRole: 'editor' });
  return <Report before={before} pageSession={session} roles={roles} />;
}

async function Report(props: { before: FixtureCounts; pageSession: Session; roles: string[] }) {
  const { auth, counts } = await getFixture();
  const { session } = await auth.withAuth({ requiredPermission: 'posts:write' });
  const during = Object.fromEntries(
    Object.entries(counts).map(([key, value]) => [
      key,
      value - props.before[key as keyof FixtureCounts],
    ]),
  );
  const report = {
    userId: session.userId,
    sameSession: session === props.pageSession,
    roles: props.roles,
    during,
  };
  return <pre id="report">{JSON.stringify(report)}</pre>;
}
