// Entry point splunkd runs through bin/defender_o365_activity.sh (docs/reference/splunk-platform.md
// 1.2): `--scheme`, `--validate-arguments` (<items> on stdin), or no argument (<input> on stdin,
// events on stdout). Returns an exit code; the caller exits only after stdout was handed over.
import { XmlEventWriter, writeFully } from "./splunk/eventWriter";
import type { InputDefinition } from "./splunk/inputDefinition";
import { createLogger, formatLine, stderrSink, type Level, type LineSink, type Logger } from "./splunk/logger";
import { schemeXml } from "./splunk/scheme";
import { checkCertificateFile } from "./auth/certificate";
import { inputName, parseConfig } from "./config/parse";
import { element } from "./splunk/xml";
import { parseInputDefinition, parseValidationDefinition } from "./splunk/xmlInput";

/** splunkd closes stdin after the document; the JS SDK gave up after 30.5 s, so do we. */
export const STDIN_TIMEOUT_MS = 30_500;
/** After SIGTERM the collector gets this long to commit and return before the process exits anyway. */
export const STOP_GRACE_MS = 4_500;

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  log: LineSink;
  env: NodeJS.ProcessEnv;
  /** Where SIGTERM/SIGINT come from (the process in production, an emitter in tests). */
  signals: NodeJS.EventEmitter;
}

/**
 * The HTTP, auth and collector stack is loaded on demand, so that --scheme (run at every splunkd
 * start) and failed static checks start fast. require(), not import(): the bundle and the test
 * runner (tsx/cjs) are both CommonJS.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const load = {
  run: () => require("./run") as typeof import("./run"),
  connectionCheck: () => require("./connectionCheck") as typeof import("./connectionCheck"),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const LEVELS: readonly Level[] = ["DEBUG", "INFO", "WARN", "ERROR"];

function makeLogger(io: Io): Logger {
  // splunkd filters by its ExecProcessor category too; this only saves writing lines it would drop.
  const wanted = (io.env.DEFENDER_O365_LOG_LEVEL ?? "").toUpperCase();
  return createLogger(io.log, LEVELS.find((l) => l === wanted) ?? "INFO");
}

/** Reads stdin until EOF or until the document's closing tag arrived. */
export function readDocument(stdin: NodeJS.ReadableStream, closingTag: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const done = (err?: Error): void => {
      clearTimeout(timer);
      stdin.removeListener("data", onData);
      stdin.removeListener("end", onEnd);
      stdin.removeListener("error", done);
      stdin.pause();
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.trimEnd().endsWith(closingTag)) done();
    };
    const onEnd = (): void => done();
    const timer = setTimeout(
      () => done(new Error(`no complete ${closingTag.replace("/", "")} document on stdin after ${timeoutMs / 1000} s: splunkd writes it when it starts the input; run this program from splunkd or pipe the XML in`)),
      timeoutMs,
    );
    if ("setEncoding" in stdin) (stdin as NodeJS.ReadStream).setEncoding("utf8");
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    stdin.once("error", done);
  });
}

async function scheme(io: Io): Promise<number> {
  await writeFully(io.stdout, schemeXml());
  return 0;
}

async function validate(io: Io, logger: Logger): Promise<number> {
  let message: string | undefined;
  try {
    const def = parseValidationDefinition(await readDocument(io.stdin, "</items>", STDIN_TIMEOUT_MS));
    const { config, errors } = parseConfig(def.item, { checkCertificate: checkCertificateFile });
    message = config ? await load.connectionCheck().checkConnection(def, config) : errors.join("; ");
  } catch (err) {
    message = `cannot validate: ${(err as Error).message}`;
  }
  if (message === undefined) return 0;
  logger.error("Validation failed", { cause: "config_invalid", detail: message });
  await writeFully(io.stdout, `<error>${element("message", message)}</error>\n`);
  return 1;
}

/** An AbortSignal for SIGTERM, SIGINT and a broken stdout (EPIPE: splunkd went away). */
function stopSignal(io: Io, logger: Logger, onStop: () => void): AbortSignal {
  const controller = new AbortController();
  const stop = (reason: string): void => {
    if (controller.signal.aborted) return;
    logger.info("Stopping", { reason });
    controller.abort(new Error(reason));
    onStop();
  };
  io.signals.once("SIGTERM", () => stop("SIGTERM"));
  io.signals.once("SIGINT", () => stop("SIGINT"));
  io.stdout.on("error", (err: NodeJS.ErrnoException) => stop(err.code === "EPIPE" ? "stdout_closed" : `stdout_error ${err.code ?? err.message}`));
  return controller.signal;
}

async function run(io: Io, logger: Logger): Promise<number> {
  let definition: InputDefinition;
  try {
    definition = parseInputDefinition(await readDocument(io.stdin, "</input>", STDIN_TIMEOUT_MS));
  } catch (err) {
    logger.error("Cannot read the input definition from splunkd", { cause: "config_invalid", detail: (err as Error).message });
    return 1;
  }
  const { runStanza } = load.run();
  const sink = new XmlEventWriter(io.stdout);
  let exitCode = 0;
  let graceTimer: NodeJS.Timeout | undefined;
  const signal = stopSignal(io, logger, () => {
    graceTimer = setTimeout(() => {
      logger.warn("The collector did not stop in time; exiting", { cause: "stop_timeout", grace_ms: STOP_GRACE_MS });
      process.exit(exitCode || 1);
    }, STOP_GRACE_MS);
  });
  if (definition.stanzas.length === 0) logger.warn("splunkd sent no stanza: nothing to do", { cause: "config_invalid" });
  for (const stanza of definition.stanzas) {
    if (signal.aborted) break;
    const stanzaLogger = logger.child({ input: inputName(stanza.name) });
    const { config, errors } = parseConfig(stanza, { checkCertificate: checkCertificateFile });
    if (!config) {
      stanzaLogger.error(`Skipping the input: ${errors.join("; ")}`, { cause: "config_invalid" });
      exitCode = 1;
      continue;
    }
    try {
      const code = await runStanza({ definition, config, logger: stanzaLogger, sink, signal });
      if (code !== 0) exitCode = code;
    } catch (err) {
      stanzaLogger.error(`Run failed: ${(err as Error).message}`, { cause: "internal_error" });
      exitCode = 1;
    }
  }
  try {
    await sink.close();
  } catch (err) {
    logger.warn("Could not close the event stream", { cause: "stdout_closed", detail: (err as Error).message });
    exitCode ||= 1;
  }
  clearTimeout(graceTimer);
  return exitCode;
}

export async function main(args: readonly string[], io: Io): Promise<number> {
  const logger = makeLogger(io);
  logger.debug("Starting", { node: process.version, mode: args[0] ?? "run" });
  if (args.length === 0) return run(io, logger);
  if (args.length === 1 && args[0] === "--scheme") return scheme(io);
  if (args.length === 1 && args[0] === "--validate-arguments") return validate(io, logger);
  logger.error(`Invalid arguments: ${args.join(" ")}. Use --scheme, --validate-arguments or no argument (run mode)`, { cause: "invalid_arguments" });
  return 1;
}

/** Last resort: one ERROR line (stack folded onto it, as splunkd logs one line per line) and exit 1. */
function fatal(err: unknown): never {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  stderrSink(`ERROR Unexpected failure: ${text.replace(/\s*\n\s*/g, " | ")} cause=internal_error`);
  process.exit(1);
}

/**
 * Node ends a process whose event loop ran dry even when a promise is still pending: that must
 * never pass for a finished run. If it happens (a bug), say so and exit non-zero.
 */
function guardPendingWork(isDone: () => boolean): void {
  process.on("beforeExit", () => {
    if (isDone()) return;
    stderrSink(formatLine("ERROR", "The run stopped with work still pending (an internal fault); the next run resumes from the checkpoint", { cause: "internal_error" }));
    process.exit(1);
  });
}

/** The process entry (called by the bundle's entry, see scripts/build.ts): run, then exit with the code. */
export function start(): void {
  const io: Io = { stdin: process.stdin, stdout: process.stdout, log: stderrSink, env: process.env, signals: process };
  let done = false;
  guardPendingWork(() => done);
  process.on("uncaughtException", fatal);
  // Node prints its warnings (deprecations in dependencies, …) without a level, which splunkd
  // would file as ERROR: replace its printer with a WARN line.
  process.removeAllListeners("warning");
  process.on("warning", (w) => stderrSink(formatLine("WARN", `Node.js ${w.name}: ${w.message}`, { cause: "node_warning" })));
  main(process.argv.slice(2), io).then((code) => {
    done = true;
    process.exit(code);
  }, fatal);
}
