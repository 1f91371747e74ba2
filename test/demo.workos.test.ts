import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { demoCommand } from '../src/cli/commands/demo.js';

// Outside a checkout of the repository (no example app to find), `orgkit demo` runs its built-in demo.
const elsewhere = mkdtempSync(join(tmpdir(), 'orgkit-demo-'));
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

it('outside a checkout, the built-in demo says where the full one is, signs in through the emulator, resolves roles, one check passes and one fails, a double booking makes one guest', async () => {
  const lines: string[] = [];
  const ok = await demoCommand((line) => lines.push(line), { cwd: elsewhere });
  const output = lines.join('\n');
  expect(ok, output).toBe(true);
  expect(lines[0]).toMatch(
    /runs in a checkout of the orgkit repository: npm install && npm run demo/,
  );
  expect(output).toMatch(/hasPermission\('events:write'\) → true/);
  expect(output).toMatch(/hasPermission\('billing:manage'\) → false/);
  expect(output).toMatch(/"expert_top"/);
  expect(output).toMatch(/✓ a guest booked in two tabs at once → one guest user_/);
  expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // never prints a token
});
