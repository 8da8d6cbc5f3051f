// Test servers on loopback for the API and auth tests: plain HTTP where TLS is not the point,
// HTTPS with a throwaway self-signed certificate made by openssl where it is.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Fields, Logger } from "../../../src/splunk/logger";

export interface TlsMaterial {
  dir: string;
  certPem: string;
  keyPem: string;
  cleanup(): void;
}

/** A self-signed certificate for 127.0.0.1/localhost, valid one day. */
export function makeSelfSignedCert(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), "o365-tls-"));
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  return {
    dir,
    certPem: readFileSync(join(dir, "cert.pem"), "utf8"),
    keyPem: readFileSync(join(dir, "key.pem"), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: Recorded, res: ServerResponse) => void;

export interface TestServer {
  origin: string;
  requests: Recorded[];
  server: Server;
  close(): Promise<void>;
}

function listen(server: Server, scheme: string, requests: Recorded[]): Promise<TestServer> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `${scheme}://127.0.0.1:${port}`,
        requests,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function recording(handler: Handler, requests: Recorded[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(recorded);
      handler(recorded, res);
    });
  };
}

export function startHttpServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  return listen(createHttpServer(recording(handler, requests)), "http", requests);
}

export function startHttpsServer(tls: TlsMaterial, handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  return listen(createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, recording(handler, requests)), "https", requests);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

export interface LogLine {
  level: string;
  message: string;
  fields: Fields;
}

/** A Logger that keeps its lines for assertions. */
export function memoryLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const make = (base: Fields): Logger => {
    const emit = (level: string) => (message: string, fields: Fields = {}) => {
      lines.push({ level, message, fields: { ...base, ...fields } });
    };
    return { debug: emit("DEBUG"), info: emit("INFO"), warn: emit("WARN"), error: emit("ERROR"), child: (f) => make({ ...base, ...f }) };
  };
  return Object.assign(make({}), { lines });
}

export interface ConnectProxy {
  url: string;
  seen: { target: string; auth?: string }[];
  close(): Promise<void>;
}

/** A minimal HTTP CONNECT proxy (RFC 9110 9.3.6) that wants Basic proxy credentials. */
export function startConnectProxy(expectedAuth: string): Promise<ConnectProxy> {
  const seen: ConnectProxy["seen"] = [];
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    const auth = req.headers["proxy-authorization"];
    seen.push({ target: req.url ?? "", auth });
    if (auth !== expectedAuth) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

