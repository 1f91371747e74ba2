import { describe, expectTypeOf, it } from 'vitest';
import { defineCommand, type FlagValues } from '../../src/cli/define-command.js';
import type { auditPurge } from '../../src/cli/definitions/audit-purge.js';

describe('CLI flag types', () => {
  it('types run’s flags from the definition: camelCase, strings for values, required or not', () => {
    type Purge = Parameters<typeof auditPurge.run>[0];
    expectTypeOf<Purge['retentionDays']>().toEqualTypeOf<string>();
    expectTypeOf<Purge['url']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Purge['json']>().toEqualTypeOf<boolean | undefined>();
    type Migrate = FlagValues<{
      'dry-run': { description: '' };
      input: { value: 'FILE'; description: ''; required: true };
    }>;
    expectTypeOf<Migrate['dryRun']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<Migrate['input']>().toEqualTypeOf<string>();
  });

  it('refuses a flag the definition does not declare', () => {
    defineCommand({
      path: ['x'],
      summary: '',
      exitCodes: { 0: '', 1: '' },
      flags: { url: { value: 'URL', description: '' } },
      run: async (flags) => {
        // @ts-expect-error: --out is not a flag of this command
        flags.out;
        return flags.url === undefined ? 1 : 0;
      },
    });
  });
});
