import { createServer } from 'node:http';
import { connect } from 'node:net';
import { neonConfig } from '@neondatabase/serverless';
import WebSocket, { WebSocketServer } from 'ws';

/** A local stand-in for Neon's `wsproxy`: WebSocket in, the Postgres wire protocol out over TCP. */
export interface WsProxy {
  port: number;
  /** WebSocket connections accepted so far. */
  readonly accepted: number;
  /** WebSocket connections still open (each one a TCP connection to the server). */
  readonly open: number;
  /** Bytes piped from the WebSockets to Postgres. */
  readonly bytesToServer: number;
  stop(): Promise<void>;
}

/**
 * Starts what Neon runs in front of its databases (github.com/neondatabase/wsproxy): each
 * WebSocket on `/v1?address=host:port` is piped byte for byte to a TCP connection to that
 * address. Only `allowed` addresses are dialled, so the test proxy is no open relay.
 */
export async function startWsProxy(options: { allowed: string[] }): Promise<WsProxy> {
  const http = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server: http, path: '/v1' });
  let accepted = 0;
  let open = 0;
  let bytesToServer = 0;
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '', 'http://proxy').searchParams.get('address') ?? '';
    if (!options.allowed.includes(address)) {
      ws.close(1008, `address not allowed: ${address}`);
      return;
    }
    accepted++;
    open++;
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), address.split(':').pop()];
    const tcp = connect(Number(port), host);
    // The driver may write its start-up message before the TCP connection is up: a socket
    // buffers writes made while it connects.
    ws.on('message', (data: Buffer) => {
      bytesToServer += data.length;
      tcp.write(data);
    });
    tcp.on('data', (chunk) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(chunk);
    });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open--;
      tcp.destroy();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    };
    ws.on('close', close);
    ws.on('error', close);
    tcp.on('close', close);
    tcp.on('error', close);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return open;
    },
    get bytesToServer() {
      return bytesToServer;
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * Points Neon's WebSocket `Pool`/`Client` (process-wide `neonConfig`) at `proxy` the way Neon's
 * docs configure a self-hosted `wsproxy`: plain `ws://` (the proxy is local), and no pipelined
 * password start-up, since the local server trusts its connections and asks for no password.
 */
export function useWsProxy(proxy: WsProxy): void {
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
}
