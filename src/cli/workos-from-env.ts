import type { WorkOS } from '@workos-inc/node';
import { importPeer } from '../config/import-peer.js';
import { OrgkitError } from '../errors/index.js';

/** Where a CLI command's WorkOS client points, as read from the environment. */
export interface WorkOSEnvironment {
  apiKey: string;
  clientId: string;
  /** `api.workos.com` unless `WORKOS_API_HOSTNAME` names a local or emulated API. */
  apiHostname: string;
  port?: number;
  https: boolean;
}

/**
 * Reads `WORKOS_API_KEY`, `WORKOS_CLIENT_ID` and, for a local or emulated API,
 * `WORKOS_API_HOSTNAME`, `WORKOS_API_PORT` and `WORKOS_API_HTTPS=false`. A missing or malformed
 * value is a configuration error naming the variable (never its value: the key is a secret).
 */
export function workosEnvironment(env: NodeJS.ProcessEnv = process.env): WorkOSEnvironment {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) {
      throw new OrgkitError('invalid_config', `${name} is not set`, { details: { key: name } });
    }
    return value;
  };
  const apiKey = required('WORKOS_API_KEY');
  const clientId = required('WORKOS_CLIENT_ID');
  const apiHostname = env.WORKOS_API_HOSTNAME?.trim() || 'api.workos.com';
  const portText = env.WORKOS_API_PORT?.trim();
  const port = portText ? Number(portText) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) {
    throw new OrgkitError('invalid_config', 'WORKOS_API_PORT must be a port number (1–65535)', {
      details: { key: 'WORKOS_API_PORT' },
    });
  }
  const httpsText = env.WORKOS_API_HTTPS?.trim().toLowerCase();
  if (httpsText && httpsText !== 'true' && httpsText !== 'false') {
    throw new OrgkitError('invalid_config', 'WORKOS_API_HTTPS must be "true" or "false"', {
      details: { key: 'WORKOS_API_HTTPS' },
    });
  }
  return {
    apiKey,
    clientId,
    apiHostname,
    ...(port === undefined ? {} : { port }),
    https: httpsText !== 'false',
  };
}

/**
 * A `@workos-inc/node` client for `environment`, with the SDK's own retries off: orgkit's
 * callers retry themselves and look a create up before repeating it.
 */
export async function workosClientFor(environment: WorkOSEnvironment): Promise<WorkOS> {
  const sdk = await importPeer<typeof import('@workos-inc/node')>(
    '@workos-inc/node',
    'this command',
  );
  return new sdk.WorkOS(environment.apiKey, {
    clientId: environment.clientId,
    apiHostname: environment.apiHostname,
    https: environment.https,
    ...(environment.port === undefined ? {} : { port: environment.port }),
    maxRetries: 0,
  });
}
