/**
 * The parts of a `@workos-inc/node` client (majors 9–11) orgkit calls. Typed structurally so
 * any supported major fits without a cast.
 */
export interface WorkOSClientLike {
  userManagement: {
    getJwksUrl(clientId: string): string;
    // biome-ignore lint/suspicious/noExplicitAny: option and result shapes vary across SDK majors
    [method: string]: any;
  };
  // biome-ignore lint/suspicious/noExplicitAny: see above
  organizations: any;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  events: any;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  webhooks: any;
}
