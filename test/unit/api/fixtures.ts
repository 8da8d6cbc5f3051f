// Test servers on loopback for the API and auth tests: plain HTTP where TLS is not the point,
// HTTPS with a throwaway self-signed certificate made by node-forge (npm) where it is.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import type { Fields, Logger } from "../../../src/splunk/logger";

export interface TlsMaterial {
  dir: string;
  certPem: string;
  keyPem: string;
  cleanup(): void;
}

/**
 * A self-signed certificate for 127.0.0.1/localhost, valid one day, in `dir` as cert.pem and
 * key.pem too. The key comes from Node (fast); node-forge writes and signs the certificate.
 */
export function makeSelfSignedCert(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), "o365-tls-"));
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const subject = [{ name: "commonName", value: "localhost" }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  writeFileSync(join(dir, "cert.pem"), certPem);
  writeFileSync(join(dir, "key.pem"), keyPem);
  return { dir, certPem, keyPem, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
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

