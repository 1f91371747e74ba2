import { defineCommand } from '../define-command.js';

export const demo = defineCommand({
  path: ['demo'],
  summary: "run the example clinic's whole flow headless, offline (WorkOS emulator, PGlite)",
  details:
    'In a checkout of the orgkit repository: the Hono example app in-process, on the official WorkOS emulator and in-memory PGlite: an expert signs in and completes setup and preferences, a guest books twice at once (one guest, one meeting), signs in with the magic-auth code, sees only their booking; the expert sees it, an admin reads the audit trail, another organization sees nothing; the audit chains verify (npm run demo -- --serve then keeps the app running). Elsewhere: a built-in demo that signs in through the emulator, resolves hybrid roles, checks permissions and provisions a guest twice at once (needs the "workos" and "@electric-sql/pglite" packages).',
  exitCodes: { 0: 'every step behaved as expected', 1: 'a step did not, or failed' },
  // No --serve here: `npm run demo -- --serve` keeps the example running.
  flags: {},
  async run(_flags, io) {
    const { demoCommand } = await import('../commands/demo.js');
    return (await demoCommand(io.out)) ? 0 : 1;
  },
});
