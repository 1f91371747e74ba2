import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { isOrgkitError } from '../errors/index.js';
import { ATTR } from './names.js';

// The API's enum values (stable across 1.x), so that nothing of the API is imported at run time.
/** `SpanKind` of `@opentelemetry/api`. @internal */
export const SPAN_KIND = { internal: 0, server: 1, client: 2 } as const;
const STATUS_ERROR = 2;

/**
 * Marks a span failed with what the error is, never what it says: an `OrgkitError`'s code (and
 * reason), else the error's class name. Messages are left out because they may quote input (an
 * email that failed validation, a WorkOS answer).
 * @internal
 */
export function recordFailure(span: Span, error: unknown): void {
  const type = isOrgkitError(error)
    ? error.code
    : error instanceof Error
      ? error.name
      : typeof error;
  span.setAttribute(ATTR.errorType, type);
  if (isOrgkitError(error) && error.reason) span.setAttribute(ATTR.errorReason, error.reason);
  span.addEvent('exception', { 'exception.type': type });
  span.setStatus({ code: STATUS_ERROR, message: type });
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

/**
 * Runs `fn` in a new active span, a child of the current one, and ends it when `fn` returns or
 * its promise settles. A thrown or rejected error fails the span and is passed on unchanged.
 * @internal
 */
export function runInSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes | undefined,
  kind: number,
  fn: (span: Span) => T,
): T {
  return tracer.startActiveSpan(name, { kind, attributes }, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      recordFailure(span, error);
      span.end();
      throw error;
    }
    if (!isThenable(result)) {
      span.end();
      return result;
    }
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordFailure(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}

/** Stands in for a span while only metrics are registered. @internal */
export const NO_SPAN = {
  setAttribute: () => NO_SPAN,
  setAttributes: () => NO_SPAN,
  addEvent: () => NO_SPAN,
  setStatus: () => NO_SPAN,
  recordException: () => undefined,
  end: () => undefined,
  isRecording: () => false,
} as unknown as Span;
