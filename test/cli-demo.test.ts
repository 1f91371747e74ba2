import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const root = join(import.meta.dirname, '..');
const STEPS = 16;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'hono.js'))) {
    throw new Error(
      'the demo runs the Hono example, which imports the built orgkit: run npm run build first',
    );
  }
});

// In the repository, `orgkit demo` (and `npm run demo`) run the Hono example's demo. The example
// imports the built package, as an app would: `npm run build` first (CI builds before testing).
it('orgkit demo in the repository runs the Hono example end to end: every step passes, exit 0', async () => {
  const run = await runCli(root, ['demo'], {
    WORKOS_API_KEY: undefined,
    WORKOS_CLIENT_ID: undefined,
    WORKOS_REDIRECT_URI: undefined,
  });
  const output = run.stdout + run.stderr;
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/the Harbor Clinic example \(Hono\) in-process/);
  const passed = output.match(/^ {2}✓ \d+\. /gm) ?? [];
  expect(passed, output).toHaveLength(STEPS);
  expect(output).not.toMatch(/✗/);
  for (const step of [
    /✓ 6\. A guest submits the booking form twice at once[\s\S]*2 submits → 1 WorkOS user, 1 meeting, 1 code/,
    /✓ 8\. The guest reads the code in the dev inbox/,
    /✓ 13\. .* of another organization, sees none of it/,
    /✓ 16\. orgkit audit verify: every hash chain is intact\n\s+\d+ events in \d+ chains verified/,
  ]) {
    expect(output).toMatch(step);
  }
  expect(output).toMatch(/The demo ran end to end\./);
  expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // never prints a token
}, 60_000);

it('the demo reports a step that does not behave, stops there, and fails', async () => {
  // Imported here, after the build check: the examples import the built package.
  const { startClinic } = await import('@orgkit-examples/clinic');
  const { createApp } = await import('@orgkit-examples/hono');
  const { runDemoFlow } = await import('@orgkit-examples/hono/demo');
  const clinic = await startClinic({ baseUrl: 'http://localhost:3000', env: {} });
  try {
    // The flow expects the expert to start with no setup done: here it is all done already.
    const expert = clinic.people!.expert.workosUserId;
    for (const step of ['profile', 'availability', 'payment'] as const) {
      await clinic.orgkit.markStepComplete(step, expert, { actor: { system: 'test' } });
    }
    const lines: string[] = [];
    const ok = await runDemoFlow(clinic, createApp(clinic), (line) => lines.push(line));
    const output = lines.join('\n');
    expect(ok, output).toBe(false);
    expect(output).toMatch(/✗ 1\. Expert .* signs in[\s\S]*the dashboard does not show 0 of 3/);
    expect(output).toMatch(/The demo stopped at step 1\./);
    expect(output).not.toMatch(/✓ 2\./);
  } finally {
    await clinic.close();
  }
}, 30_000);
