import type { Telemetry } from './create-telemetry.js';
import { traced } from './create-telemetry.js';

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * `api` with the named async methods each run in a span (`name`, attribute `orgkit.operation`
 * the method's name). Arguments and results are never recorded: they hold preferences and ids
 * a team reads from the span's parent anyway.
 * @internal
 */
export function traceMethods<T extends object>(
  api: T,
  telemetry: Telemetry,
  spans: { readonly [K in keyof T]?: T[K] extends AsyncMethod ? string : never },
): T {
  const traced_ = { ...api } as Record<string, unknown>;
  for (const [key, name] of Object.entries(spans) as [string, string][]) {
    const method = (api as Record<string, AsyncMethod>)[key]!;
    traced_[key] = (...args: never[]) =>
      traced(telemetry, name, { 'orgkit.operation': key }, () => method(...args));
  }
  return traced_ as T;
}
