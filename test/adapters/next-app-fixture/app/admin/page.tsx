import { getFixture } from '../../lib/auth';

export const dynamic = 'force-dynamic';

export default async function Admin() {
  const { auth } = await getFixture();
  const { session } = await auth.withAuth({ requiredRole: 'admin', redirectTo: '/forbidden' });
  return <h1>admin {session.userId}</h1>;
}
