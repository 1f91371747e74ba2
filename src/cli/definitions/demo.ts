import { defineCommand } from '../define-command.js';

export const demo = defineCommand({
  path: ['demo'],
  summary: 'sign in through the WorkOS emulator and check roles, offline',
  details:
    'Starts the official WorkOS emulator and an in-memory PGlite database, mirrors a user with an admin membership, signs in, verifies the token, resolves the user\'s hybrid roles, runs a permission check that passes and one that fails, and provisions a booking guest twice at once. Needs the "workos" and "@electric-sql/pglite" packages.',
  exitCodes: { 0: 'every step behaved as expected', 1: 'a step did not, or failed' },
  flags: {},
  async run(_flags, io) {
    const { demoCommand } = await import('../commands/demo.js');
    return (await demoCommand(io.out)) ? 0 : 1;
  },
});
