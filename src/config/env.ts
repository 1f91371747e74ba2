/**
 * An environment variable when the runtime has a Node-style `process.env` (Node, Bun, Deno's
 * Node compatibility, Workers with `nodejs_compat`), else `undefined`. Read through `globalThis`
 * so the library never assumes `process` is a global (edge runtimes, older Workers).
 * @internal
 */
export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[name];
  return typeof value === 'string' ? value : undefined;
}
