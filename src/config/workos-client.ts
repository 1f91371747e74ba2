/**
 * The parts of a `@workos-inc/node` client (majors 9–11) orgkit calls. Typed structurally so
 * any supported major fits without a cast.
 */
export interface WorkOSClientLike {
  userManagement: {
    getJwksUrl(clientId: string): string;
    // Option and result shapes vary across SDK majors 9–11, so these stay loosely typed.
    [method: string]: any;
  };
  organizations: any;
  events: any;
  webhooks: any;
  auditLogs: any;
}
