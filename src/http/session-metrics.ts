import { isOrgkitError } from '../errors/index.js';
import { ATTR, METRIC, type Telemetry } from '../telemetry/index.js';

const outcomeOf = (error: unknown) =>
  error === undefined
    ? { [ATTR.outcome]: 'success' }
    : {
        [ATTR.outcome]: 'failure',
        [ATTR.reason]: isOrgkitError(error) ? (error.reason ?? error.code) : 'internal',
      };

/** Counts one sign-in (`method`: `code` or `magic_auth`), failed when `error` is given. @internal */
export function countSignIn(telemetry: Telemetry | undefined, method: string, error?: unknown) {
  telemetry
    ?.recorder()
    ?.count(METRIC.signIns, { 'orgkit.sign_in.method': method, ...outcomeOf(error) });
}

/** Counts one session refresh, failed when `error` is given. @internal */
export function countRefresh(telemetry: Telemetry | undefined, error?: unknown) {
  telemetry?.recorder()?.count(METRIC.refreshes, outcomeOf(error));
}
