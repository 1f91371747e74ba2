import type { Span } from '@opentelemetry/api';
import {
  ATTR,
  METRIC,
  type Recorder,
  SPAN,
  SPAN_KIND,
  type Telemetry,
} from '../telemetry/index.js';

/** What one traced WorkOS operation records into: its span, and the call counter. @internal */
export interface CallTrace {
  /** Counts one request to WorkOS by its answer: the HTTP status, or `network` without one. */
  answered(status: number | undefined | 'ok'): void;
  /** An event on the operation's span (`retry`, `lookup`, `create`). */
  event(name: string, attributes: Record<string, string | number | boolean>): void;
}

function callTrace(recorder: Recorder, span: Span, operation: string): CallTrace {
  return {
    answered(status) {
      recorder.count(METRIC.workosCalls, {
        [ATTR.operation]: operation,
        ...(typeof status === 'number'
          ? { [ATTR.httpStatus]: status }
          : { [ATTR.outcome]: status === 'ok' ? 'success' : 'network_error' }),
      });
    },
    event: (name, attributes) => span.addEvent(name, attributes),
  };
}

/**
 * Runs one WorkOS operation (its retries and look-ups included) in a client span named for the
 * operation, never for what it carries (no email, no name).
 * @internal
 */
export function traceWorkOSOperation<T>(
  telemetry: Telemetry | undefined,
  operation: string,
  run: (trace: CallTrace | undefined) => Promise<T>,
): Promise<T> {
  const recorder = telemetry?.recorder();
  if (recorder === undefined) return run(undefined);
  return recorder.span(
    SPAN.workosCall,
    { [ATTR.operation]: operation },
    (span) => run(callTrace(recorder, span, operation)),
    SPAN_KIND.client,
  );
}
