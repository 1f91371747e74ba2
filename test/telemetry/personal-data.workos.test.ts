import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { installOpenTelemetry } from './support.js';

const root = join(import.meta.dirname, '..', '..');
const otel = installOpenTelemetry();

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'hono.js'))) {
    throw new Error('the clinic example imports the built orgkit: run npm run build first');
  }
});
afterAll(() => otel.uninstall());

// The guests the demo flow books with (examples/hono/src/demo/run-demo.ts): their names and
// the reason for the visit, which is health information.
const FLOW_GUESTS = ['Bo', 'Cy', 'Knee pain after running', 'Shoulder check-up'];
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;
const JWT = /eyJ[\w-]{4,}\.[\w-]{4,}/;

/** Every string OpenTelemetry would export: span names, attributes, events, statuses, metric labels. */
function exportedText(
  spans: ReturnType<typeof otel.spans>,
  metrics: Awaited<ReturnType<typeof otel.metrics>>,
): string[] {
  const texts: string[] = [];
  const addAttributes = (attributes: Attributes | undefined) => {
    for (const [key, value] of Object.entries(attributes ?? {})) texts.push(key, String(value));
  };
  for (const span of spans) {
    texts.push(span.name, span.status.message ?? '');
    addAttributes(span.attributes);
    for (const event of span.events) {
      texts.push(event.name);
      addAttributes(event.attributes);
    }
  }
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      texts.push(metric.descriptor.name, metric.descriptor.description);
      for (const point of metric.dataPoints) addAttributes(point.attributes);
    }
  }
  return texts;
}

it('a full run of the clinic flow exports spans and metrics without any email, name, magic code, token or secret of it', async () => {
  const { startClinic } = await import('@orgkit-examples/clinic');
  const { createApp } = await import('@orgkit-examples/hono');
  const { runDemoFlow } = await import('@orgkit-examples/hono/demo');
  const clinic = await startClinic({ baseUrl: 'http://localhost:3000', env: {} });
  let secrets: string[];
  try {
    const lines: string[] = [];
    const ok = await runDemoFlow(clinic, createApp(clinic), (line) => lines.push(line));
    expect(ok, lines.join('\n')).toBe(true);
    const people = Object.values(clinic.people ?? {}) as {
      email?: string;
      firstName?: string;
      lastName?: string;
    }[];
    expect(people.some((p) => typeof p.email === 'string')).toBe(true);
    const codes = clinic.inbox!.messages().map((m) => m.code);
    expect(codes.length).toBeGreaterThan(0);
    secrets = [
      ...people.flatMap((p) => [p.email, p.firstName, p.lastName]),
      ...FLOW_GUESTS,
      ...codes,
      clinic.cookiePassword,
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
  } finally {
    await clinic.close();
  }

  const spans = otel.spans();
  const metrics = await otel.metrics();
  // The run was traced: the scan below is not vacuous.
  const names = new Set(spans.map((s) => s.name));
  for (const name of [
    'orgkit.session.verify',
    'orgkit.guard',
    'orgkit.guests.provision',
    'orgkit.workos.call',
    'orgkit.audit.write',
    'orgkit.audit.verify',
  ]) {
    expect(names, name).toContain(name);
  }
  const texts = exportedText(spans, metrics);
  const leaks = texts.filter(
    (text) =>
      EMAIL.test(text) ||
      JWT.test(text) ||
      secrets.some((secret) =>
        /^\w+$/.test(secret) ? new RegExp(`\\b${secret}\\b`).test(text) : text.includes(secret),
      ),
  );
  expect(leaks).toEqual([]);
}, 120_000);
