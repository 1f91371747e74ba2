import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../src/create-orgkit.js';
import { CLI_TARGETS, runCli } from './support/cli.js';
import { sessionFor } from './support/sessions.js';

const doctor = sessionFor('user_dr', { organizationId: 'org_clinic', role: 'clinician' });

describe.each(CLI_TARGETS)('orgkit audit access-report on $name', ({ make }) => {
  it('streams one person’s report as CSV, JSON lines or HTML, disclosures alone on request, and records each read', async () => {
    const target = await make();
    const cli = (...args: string[]) =>
      runCli(target.cwd, args, { DATABASE_URL: target.databaseUrl });
    try {
      expect((await cli('db', 'migrate')).status).toBe(0);
      const opened = await target.open();
      try {
        const orgkit = createOrgkit({
          database: opened.db,
          access: { resourceTypes: { visit_note: { phi: true } } },
        });
        await orgkit.runWithRequestScope({ session: doctor }, async () => {
          await orgkit.recordAccess('visit_note', ['=cmd()', 'n1'], {
            purpose: 'TREAT',
            subjectIds: ['user_pat'],
          });
          await orgkit.breakGlass({ subjectId: 'user_pat', reason: 'found unresponsive' });
          await orgkit.recordAccess('visit_note', ['n3'], {
            purpose: 'ETREAT',
            subjectIds: ['user_pat'],
          });
          await orgkit.recordDisclosure('visit_note', 'n1', {
            recipient: 'County <Health> Dept',
            description: 'reportable condition',
            purpose: 'PUBHLTH',
            subjectIds: ['user_pat'],
          });
          await orgkit.recordAccess('visit_note', ['n9'], {
            purpose: 'TREAT',
            subjectIds: ['user_other'],
          });
        });
      } finally {
        await opened.close();
      }

      const csv = await cli('audit', 'access-report', '--subject', 'user_pat', '--format', 'csv');
      expect(csv.status, csv.stderr).toBe(0);
      const lines = csv.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'occurred_at,action,outcome,actor_user_id,actor_system,actor_role,organization_id,resource_type,resource_ids,purpose,emergency_access,review_outcome,impersonator,impersonation_reason,recipient,description,event_id',
      );
      expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([
        'access.read',
        'access.break_glass',
        'access.read',
        'access.disclosed',
        'access.report_read',
      ]);
      // A cell a spreadsheet would run is defused; the other patient is absent.
      expect(lines[1]).toContain("'=cmd() n1");
      expect(csv.stdout).not.toContain('n9');

      const jsonl = await cli(
        'audit',
        'access-report',
        '--subject',
        'user_pat',
        '--format',
        'jsonl',
        '--to',
        '2999-01-01',
      );
      expect(jsonl.status, jsonl.stderr).toBe(0);
      const entries = jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(entries[2]).toMatchObject({
        purpose: 'ETREAT',
        emergencyAccessIds: [entries[1].resourceIds[0]],
      });

      const htmlFile = join(target.cwd, 'report.html');
      const html = await cli(
        'audit',
        'access-report',
        '--subject',
        'user_pat',
        '--format',
        'html',
        '--out',
        htmlFile,
      );
      expect(html.status, html.stderr).toBe(0);
      expect(html.stdout).toContain(`line(s) about user_pat written to ${htmlFile}`);
      const page = readFileSync(htmlFile, 'utf8');
      expect(page).toContain('<tr class="emergency">');
      expect(page).toContain('County &lt;Health&gt; Dept');
      expect(page).not.toContain('<Health>');

      const disclosures = await cli(
        'audit',
        'access-report',
        '--subject',
        'user_pat',
        '--disclosures',
        '--format',
        'jsonl',
      );
      expect(disclosures.status, disclosures.stderr).toBe(0);
      expect(
        disclosures.stdout
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l).action),
      ).toEqual(['access.disclosed']);

      // Usage mistakes exit 2 before touching the database.
      for (const args of [
        ['--format', 'csv'],
        ['--subject', 'user_pat', '--format', 'pdf'],
        ['--subject', 'user_pat', '--format', 'csv', '--from', '2025-02-30'],
      ]) {
        const refused = await cli('audit', 'access-report', ...args);
        expect(refused.status, refused.stderr).toBe(2);
      }
      // Each report read is on record (csv, jsonl, html, disclosures).
      const again = await cli(
        'audit',
        'access-report',
        '--subject',
        'user_pat',
        '--format',
        'jsonl',
      );
      const reads = again.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((e) => e.action === 'access.report_read');
      expect(reads).toHaveLength(5);
      expect(reads[0]).toMatchObject({ actor: { system: 'access-report' } });
    } finally {
      await target.close();
    }
  }, 240_000); // eleven CLI runs, each opening the database; slow on a loaded machine
});
