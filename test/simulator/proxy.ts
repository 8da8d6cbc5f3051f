// A tiny HTTP CONNECT proxy for the proxy_url tests: tunnels to 127.0.0.1/localhost only (no
// traffic leaves the machine), optionally demands Basic credentials (RFC 7235: 407 with
// Proxy-Authenticate) or refuses every tunnel (403), and logs what it was asked.
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface ProxyOptions {
  /** Answer every CONNECT with 403. */
  refuse?: boolean;
  /** Require `Proxy-Authorization: Basic` with these credentials. */
  credentials?: { user: string; password: string };
}

export interface ProxyLogEntry {
  target: string;
  status: number;
  authorization?: string;
}

export interface Proxy {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly log: ProxyLogEntry[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost"]);

export async function startProxy(options: ProxyOptions = {}): Promise<Proxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(501, { "Content-Type": "text/plain" });
    res.end("Only CONNECT is supported.\n");
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? "";
    const entry: ProxyLogEntry = { target, status: 0, authorization: req.headers["proxy-authorization"] };
    log.push(entry);
    const refuse = (status: number, reason: string, extra = ""): void => {
      entry.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\n\r\n`);
    };
    if (options.refuse) return refuse(403, "Forbidden");
    if (options.credentials) {
      const expected = `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString("base64")}`;
      if (entry.authorization !== expected) return refuse(407, "Proxy Authentication Required", 'Proxy-Authenticate: Basic realm="simulator"\r\n');
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!m || !LOOPBACK.has(m[1])) return refuse(403, "Forbidden");
    const upstream = connect(Number(m[2]), m[1], () => {
      entry.status = 200;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => (entry.status ? client.destroy() : refuse(502, "Bad Gateway")));
    client.on("error", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}
