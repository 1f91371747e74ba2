import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLINIC_PEOPLE, DEVELOPMENT_ENV, startExampleServer } from '../e2e/support/index.js';

// The example servers with OTEL_EXPORTER_OTLP_ENDPOINT set send orgkit's spans and metrics
// over OTLP/HTTP to whatever collector is there: here a receiver of a few lines, so the test
// reads what a collector would. No browser: the requests are ones a server answers unsigned.

/** One OTLP/HTTP request the receiver got. */
interface Received {
  path: string;
  body: string;
}

interface OtlpSpan {
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}
interface OtlpMetrics {
  resourceMetrics?: {
    scopeMetrics?: { scope?: { name?: string }; metrics?: { name: string }[] }[];
  }[];
}

// The seeded people's emails and surnames (examples/clinic/src/people.ts).
const PERSONAL = [...Object.values(CLINIC_PEOPLE), 'Lovelace', 'Hopper', 'Okafor', 'Mensah'];

function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, received });
    });
  });
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes?.find((a) => a.key === key)?.value.stringValue;
}

describe.each(['hono', 'express'])('examples/%s with OTEL_EXPORTER_OTLP_ENDPOINT', (example) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let home: Response;
  let dashboard: Response;

  beforeAll(async () => {
    receiver = await startReceiver();
    const app = await startExampleServer(example, {
      ...DEVELOPMENT_ENV,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: undefined,
      OTEL_METRICS_EXPORTER: undefined,
      OTEL_SERVICE_NAME: undefined,
      OTEL_SDK_DISABLED: undefined,
    });
    try {
      home = await fetch(`${app.url}/`, { redirect: 'manual' });
      dashboard = await fetch(`${app.url}/dashboard`, { redirect: 'manual' });
    } finally {
      // SIGTERM: the server flushes its span batch and metrics before it exits.
      await app.stop();
    }
  }, 90_000);
  afterAll(() => new Promise<void>((resolve) => receiver?.server.close(() => resolve())));

  it("sends orgkit's spans over OTLP, a denied guard among them, under the app's service name", () => {
    expect(home.status).toBe(200);
    expect(dashboard.status).toBeGreaterThanOrEqual(300);
    expect(dashboard.status).toBeLessThan(400);

    const traces = receiver.received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    const batches = traces.flatMap((r) => (JSON.parse(r.body) as OtlpTraces).resourceSpans ?? []);
    const serviceNames = new Set(
      batches.map(
        (b) => b.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue,
      ),
    );
    expect([...serviceNames]).toEqual([`clinic-${example}`]);

    const scopes = batches.flatMap((b) => b.scopeSpans ?? []);
    const orgkit = scopes.filter((s) => s.scope?.name === 'orgkit');
    expect(orgkit.every((s) => /^\d+\.\d+\.\d+/.test(s.scope?.version ?? ''))).toBe(true);
    const spans = orgkit.flatMap((s) => s.spans ?? []);
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.every((s) => s.name.startsWith('orgkit.'))).toBe(true);
    const guards = spans.filter((s) => s.name === 'orgkit.guard');
    expect(guards.map((s) => attribute(s, 'orgkit.decision'))).toContain('denied');
  });

  it('sends the decision counter over OTLP at shutdown', () => {
    const metrics = receiver.received
      .filter((r) => r.path === '/v1/metrics')
      .flatMap((r) => (JSON.parse(r.body) as OtlpMetrics).resourceMetrics ?? [])
      .flatMap((m) => m.scopeMetrics ?? [])
      .filter((s) => s.scope?.name === 'orgkit')
      .flatMap((s) => s.metrics ?? [])
      .map((m) => m.name);
    expect(metrics).toContain('orgkit.access.decisions');
  });

  it("puts none of the seeded people's emails or names in anything it sends", () => {
    const sent = receiver.received.map((r) => r.body).join('\n');
    expect(sent.length).toBeGreaterThan(0);
    for (const value of PERSONAL) expect(sent).not.toContain(value);
  });
});
