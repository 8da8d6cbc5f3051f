// A splunkd stand-in for tests, the demo and benchmarks. It installs the packaged app the way
// "Install app from file" does (the .tgz unpacked into $SPLUNK_HOME/etc/apps/) and runs the app's
// launcher as splunkd runs a modular input (docs/reference/splunk-platform.md 1.2-1.8):
//   - directly (start_by_shell = false), with SPLUNK_HOME/SPLUNK_DB set and splunkd's environment;
//   - `--scheme`; `--validate-arguments` with <items> on stdin; no argument with <input> on stdin
//     (server_host, server_uri, session_key, checkpoint_dir, <stanza name=… app=…> with <param>
//     and <param_list>), stdin closed after the document;
//   - run-mode stanzas carry the app's default/inputs.conf [defender_o365_activity] settings under
//     the stanza's own (splunkd merges default stanzas), plus host and index;
//   - stdout parsed incrementally as the XML event stream (strict; malformation = harness error);
//   - stderr lines taken as splunkd.log lines (level from the first word, none = ERROR).
//
// Usage:
//   const splunkd = await installApp();               // from dist/defender_o365-<version>.tgz
//   const scheme = await splunkd.runScheme();
//   const v = await splunkd.runValidate({ tenant_id: "…", client_id: "…", client_secret: "…" });
//   const r = await splunkd.runInput({ stanzas: [{ name: "contoso", params: {…} }] });
//   const h = splunkd.startInput({...}); …; h.kill("SIGTERM"); await h.exited;
//   splunkd.cleanup();
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { archivePath } from "../../scripts/package";
import { SaxesParser } from "saxes";
import { extractArchive } from "../lib/archive";
import { confToMap, readConf } from "../lib/conf";
import type { Writable } from "node:stream";
import { EventStreamParser, startEventCounter, type StreamEvent } from "./eventStream";
import { parseLogLine, type LogLine } from "./logLine";

export type { StreamEvent } from "./eventStream";
export type { LogLine } from "./logLine";

export const APP_ID = "defender_o365";
export const SCHEME = "defender_o365_activity";

export type Params = Record<string, string | string[]>;

export interface StanzaSpec {
  /** `contoso` or the full `defender_o365_activity://contoso`. */
  name: string;
  params: Params;
  /** The stanza's app attribute (default defender_o365). */
  app?: string;
}

export interface InputOptions {
  stanzas: StanzaSpec[];
  /** Default: a fresh folder under the harness's $SPLUNK_HOME/var/lib/splunk/modinputs/. */
  checkpointDir?: string;
  serverHost?: string;
  serverUri?: string;
  sessionKey?: string;
  /** Merged over the harness environment; an undefined value removes the variable. */
  env?: Record<string, string | undefined>;
  /** Keep parsed events in `events` (default true; benchmarks may count with onEvent instead). */
  collectEvents?: boolean;
  onEvent?: (e: StreamEvent) => void;
  /**
   * "events" (default): parse stdout strictly into events. "count": only count the events that
   * end, in a reader process of its own (eventEndCounter.cjs), for benchmarks, where the parser
   * would be slower than the input; `eventCount()` and `stdoutBytes()` are known at exit.
   */
  stdout?: "events" | "count";
  onLog?: (l: LogLine) => void;
  /** Close stdin after the document as splunkd does (default true). */
  closeStdin?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface InputHandle {
  pid: number;
  /** Live: grows while the input runs. */
  events: StreamEvent[];
  logs: LogLine[];
  /** Bytes of stdout seen so far. */
  stdoutBytes(): number;
  /** Events ended so far (parsed, or counted with `stdout: "count"`). */
  eventCount(): number;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves at exit; rejects if stdout was not a well-formed event stream. */
  exited: Promise<Exit>;
  checkpointDir: string;
}

export interface InputResult extends Exit {
  events: StreamEvent[];
  logs: LogLine[];
  checkpointDir: string;
}

export interface ProcessResult extends Exit {
  stdout: string;
  logs: LogLine[];
}

export interface ValidateResult extends ProcessResult {
  /** The <error><message> text splunkd would show in Splunk Web, if any. */
  error?: string;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function paramsXml(params: Params): string {
  return Object.entries(params)
    .map(([key, value]) =>
      Array.isArray(value)
        ? `<param_list name="${xmlEscape(key)}">${value.map((v) => `<value>${xmlEscape(v)}</value>`).join("")}</param_list>`
        : `<param name="${xmlEscape(key)}">${xmlEscape(value)}</param>`,
    )
    .join("\n      ");
}

interface Header {
  serverHost: string;
  serverUri: string;
  sessionKey: string;
  checkpointDir: string;
}

function headerXml(h: Header): string {
  return [
    `  <server_host>${xmlEscape(h.serverHost)}</server_host>`,
    `  <server_uri>${xmlEscape(h.serverUri)}</server_uri>`,
    `  <session_key>${xmlEscape(h.sessionKey)}</session_key>`,
    `  <checkpoint_dir>${xmlEscape(h.checkpointDir)}</checkpoint_dir>`,
  ].join("\n");
}

/** The `<input>` document of run mode. */
export function inputXml(h: Header, stanzas: { name: string; app: string; params: Params }[]): string {
  const body = stanzas
    .map((s) => `    <stanza name="${xmlEscape(s.name)}" app="${xmlEscape(s.app)}">\n      ${paramsXml(s.params)}\n    </stanza>`)
    .join("\n");
  return `<input>\n${headerXml(h)}\n  <configuration>\n${body}\n  </configuration>\n</input>\n`;
}

/** The `<items>` document of --validate-arguments (one item, named like the input). */
export function itemsXml(h: Header, name: string, params: Params): string {
  return `<items>\n${headerXml(h)}\n  <item name="${xmlEscape(name)}">\n    ${paramsXml(params)}\n  </item>\n</items>\n`;
}

/** The text of `<error><message>…</message></error>` (strict XML; anything else throws). */
export function readErrorMessage(xml: string): string {
  const parser = new SaxesParser();
  const path: string[] = [];
  let message: string | undefined;
  parser.on("error", (err) => {
    throw new Error(`harness: --validate-arguments output is not well-formed XML: ${err.message}`);
  });
  parser.on("opentag", (t) => path.push(t.name));
  parser.on("closetag", () => path.pop());
  parser.on("text", (t) => {
    if (path.join("/") === "error/message") message = (message ?? "") + t;
  });
  parser.write(xml).close();
  if (message === undefined) throw new Error(`harness: --validate-arguments printed something other than <error><message>: ${xml.slice(0, 200)}`);
  return message;
}

export class Splunkd {
  readonly appDir: string;
  readonly launcher: string;
  private stanzaCounter = 0;

  constructor(readonly splunkHome: string) {
    this.appDir = path.join(splunkHome, "etc", "apps", APP_ID);
    this.launcher = path.join(this.appDir, "bin", `${SCHEME}.sh`);
  }

  /** splunkd's environment for its children. */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SPLUNK_HOME: this.splunkHome,
      SPLUNK_DB: path.join(this.splunkHome, "var", "lib", "splunk"),
      SPLUNK_ETC: path.join(this.splunkHome, "etc"),
      SPLUNK_SERVER_NAME: "harness",
    };
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    return env;
  }

  private spawn(args: string[], env: Record<string, string | undefined> | undefined, stdout: "pipe" | Writable = "pipe"): ChildProcess {
    // start_by_shell = false: splunkd executes the file itself (its shebang picks /bin/sh).
    return spawn(this.launcher, args, { env: this.env(env), stdio: ["pipe", stdout, "pipe"], cwd: this.splunkHome });
  }

  /** Settings of [defender_o365_activity] in the installed app's default/inputs.conf. */
  schemeDefaults(): Params {
    const file = path.join(this.appDir, "default", "inputs.conf");
    const settings = fs.existsSync(file) ? confToMap(readConf(file)).get(SCHEME) : undefined;
    return Object.fromEntries(settings ?? []);
  }

  /** Runs the launcher with any arguments and stdin, to its exit. */
  exec(args: string[], stdin?: string, env?: Record<string, string | undefined>, timeoutMs = 60_000): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(args, env);
      let stdout = "";
      let stderr = "";
      child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${path.basename(this.launcher)} ${args.join(" ")} did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const logs = stderr.split("\n").filter((l) => l !== "").map(parseLogLine);
        resolve({ code, signal, stdout, logs });
      });
      child.stdin!.on("error", () => undefined); // the program may exit without reading stdin
      child.stdin!.end(stdin ?? "");
    });
  }

  /** `--scheme`. */
  runScheme(env?: Record<string, string | undefined>): Promise<ProcessResult> {
    return this.exec(["--scheme"], undefined, env);
  }

  /** `--validate-arguments` for one item (the input's name and the params Splunk Web submitted). */
  async runValidate(params: Params, opts: { name?: string; env?: Record<string, string | undefined>; serverUri?: string; sessionKey?: string } = {}): Promise<ValidateResult> {
    const header = {
      serverHost: "harness",
      serverUri: opts.serverUri ?? "https://127.0.0.1:8089",
      sessionKey: opts.sessionKey ?? "harness-session-key",
      checkpointDir: path.join(this.splunkHome, "var", "lib", "splunk", "modinputs", SCHEME),
    };
    const result = await this.exec(["--validate-arguments"], itemsXml(header, opts.name ?? "harness_input", params), opts.env);
    return { ...result, error: result.stdout.trim() === "" ? undefined : readErrorMessage(result.stdout) };
  }

  /** Starts run mode; events and logs fill in while it runs. */
  startInput(opts: InputOptions): InputHandle {
    const checkpointDir = opts.checkpointDir ?? path.join(this.splunkHome, "var", "lib", "splunk", "modinputs", `${SCHEME}-${++this.stanzaCounter}`);
    fs.mkdirSync(checkpointDir, { recursive: true });
    const serverHost = opts.serverHost ?? "harness";
    const defaults = this.schemeDefaults();
    const stanzas = opts.stanzas.map((s) => ({
      name: s.name.includes("://") ? s.name : `${SCHEME}://${s.name}`,
      app: s.app ?? APP_ID,
      params: { ...defaults, host: serverHost, index: "default", ...s.params },
    }));
    const doc = inputXml(
      { serverHost, serverUri: opts.serverUri ?? "https://127.0.0.1:8089", sessionKey: opts.sessionKey ?? "harness-session-key", checkpointDir },
      stanzas,
    );
    const counter = opts.stdout === "count" ? startEventCounter() : undefined;
    const child = this.spawn([], opts.env, counter?.input);
    // The child holds the pipe to the counter now; with ours closed, its exit ends the count.
    counter?.input.destroy();
    const events: StreamEvent[] = [];
    const logs: LogLine[] = [];
    const collect = opts.collectEvents ?? true;
    let bytes = 0;
    let parsed = 0;
    const parser = new EventStreamParser((e) => {
      parsed++;
      if (collect) events.push(e);
      opts.onEvent?.(e);
    });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      bytes += Buffer.byteLength(chunk);
      parser.write(chunk);
    });
    let partial = "";
    const onLine = (raw: string): void => {
      if (raw === "") return;
      const line = parseLogLine(raw);
      logs.push(line);
      opts.onLog?.(line);
    };
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      lines.forEach(onLine);
    });
    const exited = new Promise<Exit>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => {
        onLine(partial);
        if (counter) {
          counter.counted.then((c) => {
            parsed = c.count;
            bytes = c.bytes;
            resolve({ code, signal });
          }, reject);
          return;
        }
        // A process killed by a signal may leave the stream cut short; that is not malformed.
        parser.end(signal === null);
        if (parser.error) reject(new Error(`harness: stdout is not a well-formed event stream: ${parser.error.message}`));
        else resolve({ code, signal });
      });
    });
    child.stdin!.on("error", () => undefined);
    if (opts.closeStdin ?? true) child.stdin!.end(doc);
    else child.stdin!.write(doc);
    return {
      pid: child.pid!,
      events,
      logs,
      stdoutBytes: () => bytes,
      eventCount: () => parsed,
      kill: (signal: NodeJS.Signals = "SIGTERM") => {
        child.kill(signal);
      },
      exited,
      checkpointDir,
    };
  }

  /** Runs the input to its exit (SIGKILL after timeoutMs, then rejects). */
  async runInput(opts: InputOptions & { timeoutMs?: number }): Promise<InputResult> {
    const handle = this.startInput(opts);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        handle.kill("SIGKILL");
        reject(new Error(`the input did not exit within ${timeoutMs} ms; last log: ${handle.logs.at(-1)?.raw ?? "(none)"}`));
      }, timeoutMs);
    });
    try {
      const exit = await Promise.race([handle.exited, timeout]);
      return { ...exit, events: handle.events, logs: handle.logs, checkpointDir: handle.checkpointDir };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes the fake $SPLUNK_HOME. */
  cleanup(): void {
    fs.rmSync(this.splunkHome, { recursive: true, force: true });
  }
}

/**
 * Installs the packaged app into a fresh fake $SPLUNK_HOME/etc/apps/ (Apps > Install app from
 * file). Default archive: dist/defender_o365-<version>.tgz, written by `npm run package`.
 */
export async function installApp(opts: { archive?: string } = {}): Promise<Splunkd> {
  const archive = opts.archive ?? archivePath();
  if (!fs.existsSync(archive)) throw new Error(`${archive} is missing: run \`npm run package\` first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "splunkd-harness-"));
  const apps = path.join(home, "etc", "apps");
  fs.mkdirSync(apps, { recursive: true });
  extractArchive(archive, apps);
  return new Splunkd(home);
}
