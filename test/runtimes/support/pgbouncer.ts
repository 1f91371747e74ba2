import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PgBouncer in transaction pooling (as Hyperdrive and Supabase's pooler run), for one test. */
export interface PgBouncer {
  /** Connect here as `user` (no password) to reach `schema` through the pooler. */
  url: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * Starts `pgbouncer` (Debian's package) in front of `serverUrl`'s database as `user`, with
 * `poolSize` server connections shared by every client; `search_path` is set per server
 * connection (a pooled client cannot set it at start-up).
 */
export async function startPgBouncer(options: {
  serverUrl: string;
  user: string;
  schema: string;
  poolSize: number;
}): Promise<PgBouncer> {
  const server = new URL(options.serverUrl);
  const dir = mkdtempSync(join(tmpdir(), 'orgkit-pgbouncer-'));
  // Written by PgBouncer (its socket) as the postgres user when we are root.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const database = server.pathname.slice(1);
  writeFileSync(join(dir, 'users.txt'), `"${options.user}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `pooled = host=${server.hostname} port=${server.port || 5432} dbname=${database} user=${options.user} connect_query='SET search_path TO "${options.schema}"'`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 200',
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  );
  for (const f of ['users.txt', 'pgbouncer.ini']) chmodSync(join(dir, f), 0o644);
  // PgBouncer refuses to run as root; -u drops to the postgres user when we are root.
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(
    '/usr/sbin/pgbouncer',
    [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  // Listening once a TCP connection is accepted.
  const { connect } = await import('node:net');
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (i > 50 || child.exitCode !== null) throw new Error(`pgbouncer did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `postgres://${options.user}@127.0.0.1:${port}/pooled`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
