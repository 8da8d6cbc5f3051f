// Loopback network faults for tests, so that no test sends traffic off this host: a port nothing
// listens on (connection refused) and a listener that accepts and never answers (a firewall that
// drops replies, as far as the client can tell).
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";

/** A loopback port nothing listens on (bound, then closed). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SilentListener {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections on loopback and never writes a byte (no TLS handshake, no HTTP answer). */
export async function silentListener(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
