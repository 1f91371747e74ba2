import { getFixture } from '../../../lib/auth';

export const dynamic = 'force-dynamic';

type Fixture = Awaited<ReturnType<typeof getFixture>>;

const protectBilling = ({ auth, orgkit }: Fixture) =>
  auth.protect({ requiredPermission: 'billing:manage' }, () => {
    // What app code inside the handler sees, with no parameters passed down.
    const scope = orgkit.getRequestScope();
    return Response.json({
      userId: orgkit.requireAuth().userId,
      scopeUserId: scope?.session?.userId,
      hasRequestId: typeof scope?.requestId === 'string' && scope.requestId.length > 0,
    });
  });

let handler: Promise<ReturnType<typeof protectBilling>> | undefined;

export async function GET(request: Request, context: unknown) {
  handler ??= getFixture().then(protectBilling);
  return (await handler)(request, context);
}
