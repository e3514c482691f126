// A TCP proxy the tests can cut: it takes a service (Redis, Neo4j, …) away from the code under test
// without stopping it for anybody else on the machine, then brings it back on the same port.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running TCP proxy on 127.0.0.1 (see {@link tcpProxy}). */
export interface TcpProxy {
  /** The local port; it stays the same across `cut()` and `restore()`. */
  readonly port: number;
  /** Drops every connection and stops listening: the target looks down. */
  cut(): Promise<void>;
  /** Listens again on the same port (a no-op while listening): the target looks up again. */
  restore(): Promise<void>;
  /** The same as `cut()`: call it when the test is done. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (a free port) that pipes every connection to `target`.
 *
 * @example
 * ```ts
 * import { tcpProxy } from '../../support/tcp-proxy.js';
 * const proxy = await tcpProxy({ host: '127.0.0.1', port: 6379 });
 * const redis = createRedisClient(`redis://127.0.0.1:${proxy.port}`);
 * await proxy.cut(); // Redis is "down" for this client only
 * await proxy.restore(); // and back, on the same port
 * await proxy.close();
 * ```
 */
export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    if (server) return;
    const s = createServer((client) => {
      const upstream = connect(target.port, target.host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    s.listen(port, '127.0.0.1');
    await once(s, 'listening');
    const address = s.address();
    if (address && typeof address === 'object') port = address.port;
    server = s;
  };
  const cut = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
