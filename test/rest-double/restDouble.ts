// A splunkd REST double on loopback HTTPS, enough for the modular input's secret handling and
// the configuration page: storage/passwords (docs/reference/splunk-platform.md 3.1),
// data/inputs/defender_o365_activity with external validation on create/edit (1.4, 8.2.4), the
// app's conf endpoints (configs/conf-<file>), data/indexes and oneshot search jobs (answered from
// rows the test seeds; SPL is not evaluated). JSON only (`output_mode=json`), Splunk's envelopes
// (shapes.ts), `Authorization: Splunk <session key>`. It keeps a fake $SPLUNK_HOME with
// etc/auth/cacert.pem and writes local/inputs.conf and local/passwords.conf (encrypted, as splunkd
// does) so tests can grep what would rest on disk.
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { entityName, parseEntityName } from "./entityName";
import { entry, errorBody, feed, type Content, type Entry } from "./shapes";
import type { Validator } from "./validator";

export const SCHEME = "defender_o365_activity";
const TLS_DIR = path.join(__dirname, "tls");
export const DOUBLE_CA_FILE = path.join(TLS_DIR, "ca.pem");

export interface StoredPassword {
  realm: string;
  username: string;
  password: string;
}

export interface DoubleState {
  /** By entity name `realm:username:`. */
  passwords: Map<string, StoredPassword>;
  /** Input name -> its settings as inputs.conf holds them (`disabled` is "0" / "1"). */
  inputs: Map<string, Record<string, string>>;
  /** conf file (without .conf) -> stanza -> settings. */
  confs: Map<string, Map<string, Record<string, string>>>;
  /** Rows a oneshot search returns. */
  searchResults: Record<string, string>[];
  /** Every search string received, for assertions. */
  searches: string[];
  /** Simulates a key without list_storage_passwords: reads of storage/passwords answer 403. */
  forbidPasswordReads: boolean;
  /** A splunkd that cannot serve (overloaded, restarting): reads of storage/passwords answer this 5xx. */
  failPasswordReads?: number;
  /** Every request as `METHOD /path`, for assertions. */
  requests: string[];
}

export interface RestDoubleOptions {
  app?: string;
  /** An existing $SPLUNK_HOME (e.g. the harness's, with the app installed); default: a fresh temp one. */
  splunkHome?: string;
  /** Runs on create/edit of our scheme's inputs; default: accept everything. */
  validator?: Validator;
  indexes?: string[];
  confs?: Record<string, Record<string, Record<string, string>>>;
  /** The scheme's argument names: like splunkd, create/edit refuse any other (default: accept all). */
  schemeArgs?: readonly string[];
  /**
   * How splunkd serves its management port: HTTPS with the double's CA-signed certificate
   * (default), HTTPS with a given certificate (a site's own CA), or plain HTTP
   * (server.conf enableSplunkdSSL = false; docs/reference/splunkd-rest-tls.md).
   */
  listen?: { kind: "http" } | { kind: "https"; certPem: string; keyPem: string };
}

/** Settings every input accepts besides its scheme's arguments (inputs.conf.spec, [default]). */
const STANDARD_SETTINGS = ["index", "interval", "host", "source", "sourcetype", "disabled", "python.version"];

export interface RestDouble {
  url: string;
  /** The one session key this splunkd accepts (what splunkd passes to inputs and Splunk Web uses). */
  sessionKey: string;
  /** A fake $SPLUNK_HOME: etc/auth/cacert.pem trusts this double; local conf files land in etc/apps/<app>/local. */
  splunkHome: string;
  checkpointDir: string;
  caFile: string;
  state: DoubleState;
  /** Path of a conf file the double writes (inputs, passwords, app). */
  localConf(file: string): string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

/** Form fields except the request-control ones, last value wins. */
function fields(body: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of body) if (k !== "output_mode" && k !== "name") out[k] = v;
  return out;
}

function renderConf(stanzas: [string, Record<string, string>][]): string {
  return stanzas.map(([name, kv]) => [`[${name}]`, ...Object.entries(kv).map(([k, v]) => `${k} = ${v}`), ""].join("\n")).join("\n");
}

export async function startRestDouble(opts: RestDoubleOptions = {}): Promise<RestDouble> {
  const app = opts.app ?? "defender_o365";
  const validator: Validator = opts.validator ?? (async () => undefined);
  const indexes = opts.indexes ?? ["main", "defender", "_internal", "_audit"];
  const sessionKey = randomBytes(24).toString("base64url");
  const splunkSecret = randomBytes(32);
  const ownHome = !opts.splunkHome;
  const splunkHome = opts.splunkHome ?? mkdtempSync(path.join(tmpdir(), "dfo365-splunkd-"));
  const localDir = path.join(splunkHome, "etc", "apps", app, "local");
  const checkpointDir = path.join(splunkHome, "var", "lib", "splunk", "modinputs", SCHEME);
  mkdirSync(path.join(splunkHome, "etc", "auth"), { recursive: true });
  mkdirSync(localDir, { recursive: true });
  mkdirSync(checkpointDir, { recursive: true });
  writeFileSync(path.join(splunkHome, "etc", "auth", "cacert.pem"), readFileSync(DOUBLE_CA_FILE));

  const state: DoubleState = {
    passwords: new Map(),
    inputs: new Map(),
    confs: new Map(),
    searchResults: [],
    searches: [],
    forbidPasswordReads: false,
    requests: [],
  };
  for (const [file, stanzas] of Object.entries(opts.confs ?? {})) {
    state.confs.set(file, new Map(Object.entries(stanzas).map(([s, kv]) => [s, { ...kv }])));
  }

  // splunkd keeps secrets encrypted with splunk.secret ($7$ = AES-256-GCM since 7.2); so does the double.
  const encrypt = (clear: string): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", splunkSecret, iv);
    const data = Buffer.concat([cipher.update(clear, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `$7$${Buffer.concat([iv, data]).toString("base64")}`;
  };

  const persist = (): void => {
    writeFileSync(
      path.join(localDir, "inputs.conf"),
      renderConf([...state.inputs].map(([name, kv]) => [`${SCHEME}://${name}`, kv])),
    );
    writeFileSync(
      path.join(localDir, "passwords.conf"),
      renderConf([...state.passwords].map(([name, p]) => [`credential:${name}`, { password: encrypt(p.password) }])),
    );
    for (const [file, stanzas] of state.confs) writeFileSync(path.join(localDir, `${file}.conf`), renderConf([...stanzas]));
  };

  let base = "";

  const passwordEntry = (collection: string, name: string, p: StoredPassword): Entry =>
    entry(base, collection, name, app, {
      clear_password: p.password,
      encr_password: encrypt(p.password),
      password: "********",
      realm: p.realm,
      username: p.username,
    });

  const inputEntry = (collection: string, name: string, kv: Record<string, string>): Entry => {
    const content: Content = { ...kv, disabled: kv.disabled === "1" || kv.disabled === "true", "eai:appName": app };
    return entry(base, collection, name, app, content);
  };

  async function passwords(method: string, collection: string, rest: string[], body: URLSearchParams): Promise<unknown> {
    if (state.failPasswordReads !== undefined && method === "GET") {
      throw new HttpError(state.failPasswordReads, "Internal server error: splunkd could not complete the request");
    }
    if (state.forbidPasswordReads && method === "GET") {
      throw new HttpError(403, "You (user=admin) do not have permission to perform this operation (requires capability: list_storage_passwords OR admin_all_objects).");
    }
    if (rest.length === 0) {
      if (method === "GET") return feed(base, collection, [...state.passwords].map(([n, p]) => passwordEntry(collection, n, p)));
      if (method !== "POST") throw new HttpError(405, `Method ${method} not allowed`);
      const username = body.get("name");
      const password = body.get("password");
      if (!username || password === null) throw new HttpError(400, "Missing argument: name and password are required");
      const realm = body.get("realm") ?? "";
      const name = entityName(realm, username);
      if (state.passwords.has(name)) throw new HttpError(409, `An object with name=${name} already exists`);
      state.passwords.set(name, { realm, username, password });
      persist();
      return { status: 201, body: feed(base, collection, [passwordEntry(collection, name, state.passwords.get(name)!)]) };
    }
    const name = decodeURIComponent(rest[0]);
    const parts = parseEntityName(name);
    const found = state.passwords.get(name) ?? state.passwords.get(entityName(parts.realm, parts.username));
    if (!found) throw new HttpError(404, `Could not find object id=${name}`);
    const key = entityName(found.realm, found.username);
    if (method === "DELETE") {
      state.passwords.delete(key);
      persist();
      return feed(base, collection, []);
    }
    if (method === "POST") {
      const password = body.get("password");
      if (password === null) throw new HttpError(400, "Missing argument: password");
      found.password = password;
      persist();
    }
    return feed(base, collection, [passwordEntry(collection, key, found)]);
  }

  async function inputs(method: string, collection: string, rest: string[], body: URLSearchParams, key: string): Promise<unknown> {
    const validate = async (name: string, params: Record<string, string>): Promise<void> => {
      const unknown = Object.keys(params).find((k) => opts.schemeArgs && !opts.schemeArgs.includes(k) && !STANDARD_SETTINGS.includes(k));
      if (unknown) throw new HttpError(400, `Argument "${unknown}" is not supported by this handler.`);
      const message = await validator({ name, params, serverUri: base, sessionKey: key });
      if (message !== undefined) throw new HttpError(400, message);
    };
    if (rest.length === 0) {
      if (method === "GET") return feed(base, collection, [...state.inputs].map(([n, kv]) => inputEntry(collection, n, kv)));
      if (method !== "POST") throw new HttpError(405, `Method ${method} not allowed`);
      const name = body.get("name");
      if (!name) throw new HttpError(400, "Missing argument: name");
      if (state.inputs.has(name)) throw new HttpError(409, `Object id=${SCHEME}://${name} cannot be created: it already exists`);
      const params = fields(body);
      await validate(name, params);
      state.inputs.set(name, { disabled: "0", ...params });
      persist();
      return { status: 201, body: feed(base, collection, [inputEntry(collection, name, state.inputs.get(name)!)]) };
    }
    const name = decodeURIComponent(rest[0]);
    const current = state.inputs.get(name);
    if (!current) throw new HttpError(404, `Could not find object id=${SCHEME}://${name}`);
    const action = rest[1];
    if (method === "DELETE" && !action) {
      state.inputs.delete(name);
      persist();
      return feed(base, collection, [...state.inputs].map(([n, kv]) => inputEntry(collection, n, kv)));
    }
    if (method === "POST" && (action === "enable" || action === "disable")) {
      current.disabled = action === "disable" ? "1" : "0";
      persist();
    } else if (method === "POST" && !action) {
      const merged = { ...current, ...fields(body) };
      await validate(name, merged);
      state.inputs.set(name, merged);
      persist();
    } else if (method !== "GET") throw new HttpError(405, `Method ${method} not allowed`);
    return feed(base, collection, [inputEntry(collection, name, state.inputs.get(name)!)]);
  }

  async function confs(method: string, collection: string, file: string, rest: string[], body: URLSearchParams): Promise<unknown> {
    const stanzas = state.confs.get(file) ?? new Map<string, Record<string, string>>();
    state.confs.set(file, stanzas);
    if (rest.length === 0) {
      if (method === "GET") return feed(base, collection, [...stanzas].map(([n, kv]) => entry(base, collection, n, app, kv)));
      const name = body.get("name");
      if (method !== "POST" || !name) throw new HttpError(400, "Missing argument: name");
      if (stanzas.has(name)) throw new HttpError(409, `An object with name=${name} already exists`);
      stanzas.set(name, fields(body));
    } else {
      const name = decodeURIComponent(rest[0]);
      const kv = stanzas.get(name);
      if (!kv) throw new HttpError(404, `Could not find object id=${name}`);
      if (method === "POST") Object.assign(kv, fields(body));
      else if (method === "DELETE") stanzas.delete(name);
      else if (method !== "GET") throw new HttpError(405, `Method ${method} not allowed`);
      if (method === "GET") return feed(base, collection, [entry(base, collection, name, app, kv)]);
    }
    persist();
    return feed(base, collection, [...stanzas].map(([n, kv]) => entry(base, collection, n, app, kv)));
  }

  // apps/local/{name}: `configured` is app.conf's [install] is_configured; POST configured=1
  // completes setup (docs/reference/splunk-setup.md).
  function appEndpoint(method: string, collection: string, body: URLSearchParams): unknown {
    const install = state.confs.get("app")?.get("install") ?? {};
    if (method === "POST") {
      const configured = body.get("configured");
      if (configured !== null) install.is_configured = /^(1|true)$/i.test(configured) ? "1" : "0";
      state.confs.set("app", new Map([...(state.confs.get("app") ?? new Map<string, Record<string, string>>()), ["install", install]]));
      persist();
    } else if (method !== "GET") throw new HttpError(405, `Method ${method} not allowed`);
    return feed(base, collection, [entry(base, collection, app, app, { configured: /^(1|true)$/i.test(install.is_configured ?? "") })]);
  }

  async function route(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", base);
    const method = req.method ?? "GET";
    state.requests.push(`${method} ${url.pathname}`);
    const auth = req.headers.authorization ?? "";
    if (auth !== `Splunk ${sessionKey}` && auth !== `Bearer ${sessionKey}`) throw new HttpError(401, "call not properly authenticated");
    const body = method === "POST" ? await readBody(req) : new URLSearchParams();
    const mode = url.searchParams.get("output_mode") ?? body.get("output_mode");
    if (mode !== "json") throw new HttpError(400, "This splunkd double answers output_mode=json only");

    const segments = url.pathname.split("/").filter(Boolean);
    let rest: string[];
    let prefix: string;
    if (segments[0] === "servicesNS" && segments.length >= 3) {
      prefix = `/servicesNS/${segments[1]}/${segments[2]}`;
      rest = segments.slice(3);
    } else if (segments[0] === "services") {
      prefix = "/services";
      rest = segments.slice(1);
    } else throw new HttpError(404, `Unknown path ${url.pathname}`);

    const wrap = (result: unknown): { status: number; body: unknown } =>
      result && typeof result === "object" && "status" in result && "body" in result
        ? (result as { status: number; body: unknown })
        : { status: 200, body: result };

    if (rest[0] === "storage" && rest[1] === "passwords") {
      return wrap(await passwords(method, `${prefix}/storage/passwords`, rest.slice(2), body));
    }
    if (rest[0] === "data" && rest[1] === "inputs" && rest[2] === SCHEME) {
      return wrap(await inputs(method, `${prefix}/data/inputs/${SCHEME}`, rest.slice(3), body, sessionKey));
    }
    if (rest[0] === "configs" && rest[1]?.startsWith("conf-")) {
      return wrap(await confs(method, `${prefix}/configs/${rest[1]}`, rest[1].slice(5), rest.slice(2), body));
    }
    if (rest[0] === "apps" && rest[1] === "local" && rest[2] === app && rest.length === 3) {
      return wrap(appEndpoint(method, `${prefix}/apps/local`, body));
    }
    if (rest[0] === "data" && rest[1] === "indexes" && method === "GET") {
      const collection = `${prefix}/data/indexes`;
      return wrap(feed(base, collection, indexes.map((n) => entry(base, collection, n, "system", { datatype: "event", disabled: false }))));
    }
    if (rest[0] === "search" && rest[1] === "jobs" && method === "POST") {
      if (body.get("exec_mode") !== "oneshot") throw new HttpError(400, "This splunkd double runs exec_mode=oneshot searches only");
      state.searches.push(body.get("search") ?? "");
      const rows = state.searchResults;
      const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      return wrap({ preview: false, init_offset: 0, messages: [], fields: names.map((name) => ({ name })), results: rows });
    }
    throw new HttpError(404, `Unknown endpoint ${url.pathname}`);
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req)
      .then(({ status, body }) => send(res, status, body))
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const text = error instanceof Error ? error.message : String(error);
        send(res, status, errorBody(text, status === 401 ? "WARN" : "ERROR"));
      });
  };

  const listen = opts.listen ?? { kind: "https", certPem: readFileSync(path.join(TLS_DIR, "server.pem"), "utf8"), keyPem: readFileSync(path.join(TLS_DIR, "server-key.pem"), "utf8") };
  const server = listen.kind === "http" ? http.createServer(handler) : https.createServer({ key: listen.keyPem, cert: listen.certPem }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `${listen.kind}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  persist();

  return {
    url: base,
    sessionKey,
    splunkHome,
    checkpointDir,
    caFile: DOUBLE_CA_FILE,
    state,
    localConf: (file) => path.join(localDir, `${file}.conf`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          if (ownHome) rmSync(splunkHome, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Mocha hooks for a suite sharing one double: started before the suite, closed after it, and
 * its passwords and inputs emptied before each test. Returns the running double.
 */
export function useRestDouble(): () => RestDouble {
  let double: RestDouble | undefined;
  before(async () => {
    double = await startRestDouble();
  });
  after(() => double?.close());
  beforeEach(() => {
    double!.state.passwords.clear();
    double!.state.inputs.clear();
    double!.state.forbidPasswordReads = false;
    double!.state.failPasswordReads = undefined;
  });
  return () => double!;
}
