import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runClerkMigration } from '../../src/migrate/index.js';
import {
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  writeExport,
} from '../migrate/run/support.js';
import { type InstalledOpenTelemetry, installOpenTelemetry } from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();
let otel: InstalledOpenTelemetry;
beforeEach(() => {
  otel = installOpenTelemetry();
});
afterEach(() => otel.uninstall());

describe('spans of a Clerk migration', () => {
  it('each logged step a span saying what it ensured and whether it created or matched it, its WorkOS calls inside; no email or Clerk id', async () => {
    const dir = await newDir();
    const { csv, expected } = generateExport(4, 'user_otel');
    const input = await writeExport(dir, csv);
    // One of the four already exists in WorkOS: matched, not created.
    await env.workos.userManagement.createUser({ email: expected[1]!.email });
    const client = recordingClient(env.emulator);
    const summary = await runClerkMigration({
      input,
      outDir: join(dir, 'run'),
      workos: client.workos,
    });
    expect(summary.counts).toMatchObject({ created: 3, matched: 1, failed: 0 });

    const spans = otel.spans();
    const steps = spans.filter((s) => s.name === 'orgkit.migrate.step');
    const userSteps = steps.filter((s) => s.attributes['orgkit.step'] === 'user');
    expect(userSteps.map((s) => s.attributes['orgkit.result']).sort()).toEqual([
      'created',
      'created',
      'created',
      'matched',
    ]);
    // The WorkOS calls of a step are its children.
    const stepIds = new Set(steps.map((s) => s.spanContext().spanId));
    const calls = spans.filter((s) => s.name === 'orgkit.workos.call');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.some((c) => stepIds.has(c.parentSpanContext?.spanId ?? ''))).toBe(true);

    const exported = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
    for (const person of expected) {
      expect(exported).not.toContain(person.email);
      expect(exported).not.toContain(person.clerkUserId);
    }
  });
});
