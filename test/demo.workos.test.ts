import { expect, it } from 'vitest';
import { demoCommand } from '../src/cli/commands/demo.js';

it('the demo signs in through the emulator, resolves roles, and one check passes and one fails, a double booking makes one guest', async () => {
  const lines: string[] = [];
  const ok = await demoCommand((line) => lines.push(line));
  const output = lines.join('\n');
  expect(ok, output).toBe(true);
  expect(output).toMatch(/hasPermission\('events:write'\) → true/);
  expect(output).toMatch(/hasPermission\('billing:manage'\) → false/);
  expect(output).toMatch(/"expert_top"/);
  expect(output).toMatch(/✓ a guest booked in two tabs at once → one guest user_/);
  expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // never prints a token
});
