import { defineCommand } from '../define-command.js';
import { JSON_FLAG, URL_FLAG } from './shared-flags.js';

export const syncReconcile = defineCommand({
  path: ['sync', 'reconcile'],
  summary: 'rebuild the users / organizations / memberships mirror from WorkOS',
  details:
    'Lists users, organizations and memberships from WorkOS (WORKOS_API_KEY, WORKOS_CLIENT_ID; WORKOS_API_HOSTNAME, WORKOS_API_PORT, WORKOS_API_HTTPS for a local API), upserts them, removes mirror rows WorkOS no longer has, and points the Events API cursor at the newest event. Run it when the sync reports cursor_expired, or after an outage; a second run changes nothing. Run "orgkit db migrate" first.',
  exitCodes: {
    0: 'the mirror matches WorkOS',
    1: 'failed (2: also a missing or refused WorkOS configuration)',
  },
  flags: { url: URL_FLAG, json: JSON_FLAG },
  async run(flags, io) {
    const { syncReconcileCommand } = await import('../commands/sync-reconcile.js');
    return syncReconcileCommand(flags, io);
  },
});
