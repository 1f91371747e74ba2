import { WorkOS } from '@workos-inc/node';
import { startWorkOSEmulator, type WorkOSEmulator } from 'orgkit/testing';
import { orgRolePermissions } from './access.js';
import { createDevInbox, type DevInbox } from './inbox.js';

/** The WorkOS side of the clinic: the official emulator by default, or a real environment. */
export interface ClinicWorkOS {
  workos: WorkOS;
  clientId: string;
  redirectUri: string;
  /** Token issuers to accept: the emulator's URL, or orgkit's defaults for real WorkOS. */
  issuers: string[] | undefined;
  /** Present in emulator mode only. */
  emulator: WorkOSEmulator | undefined;
  /** Present in emulator mode only. */
  inbox: DevInbox | undefined;
  close(): Promise<void>;
}

/** The callback route every clinic app mounts `auth.callback()` on. */
export const CALLBACK_PATH = '/auth/callback';

/**
 * Real WorkOS when `WORKOS_API_KEY`, `WORKOS_CLIENT_ID` and `WORKOS_REDIRECT_URI` are all set;
 * otherwise the emulator, seeded with the clinic's organization roles and permissions, and a
 * WorkOS client whose magic-auth codes land in the dev inbox.
 */
export async function openClinicWorkOS(
  baseUrl: string,
  env: Record<string, string | undefined>,
): Promise<ClinicWorkOS> {
  const { WORKOS_API_KEY: apiKey, WORKOS_CLIENT_ID: clientId } = env;
  if (apiKey && clientId && env.WORKOS_REDIRECT_URI) {
    return {
      workos: new WorkOS(apiKey, { clientId, maxRetries: 0 }),
      clientId,
      redirectUri: env.WORKOS_REDIRECT_URI,
      issuers: undefined,
      emulator: undefined,
      inbox: undefined,
      close: async () => {},
    };
  }
  const permissions = [...new Set(Object.values(orgRolePermissions).flat())];
  const emulator = await startWorkOSEmulator({
    seed: {
      permissions: permissions.map((slug) => ({ slug, name: slug })),
      roles: Object.entries(orgRolePermissions).map(([slug, granted]) => ({
        slug,
        name: slug,
        type: 'EnvironmentRole' as const,
        permissions: [...granted],
      })),
    },
  });
  const inbox = createDevInbox();
  return {
    // maxRetries 0: orgkit's guest provisioning does its own retrying (see the README).
    workos: emulator.createClient({ fetchFn: inbox.wrap(fetch), maxRetries: 0 }),
    clientId: emulator.clientId,
    redirectUri: new URL(CALLBACK_PATH, baseUrl).href,
    issuers: [emulator.url],
    emulator,
    inbox,
    close: () => emulator.close(),
  };
}
