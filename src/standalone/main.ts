// Entry of the standalone collector (bin/defender_o365_collector.sh runs the app's bundle with
// `collector` first; scripts/build.ts): --config <file> [--once | --check]. JSON log lines on
// stderr; --check also prints one line per problem on stdout. Exit 0, or 1 for a fault a user
// must fix (arguments, config, secrets, HEC refusing the token or the data).
import type { EventEmitter } from "node:events";
import { stderrSink, type Level, type LineSink } from "../splunk/logger";
import { parseArgs } from "./args";
import { checkConnections } from "./check";
import { loadStandaloneConfig } from "./config";
import { createJsonLogger, formatJsonLine } from "./jsonLogger";
import { serve } from "./service";

export interface CollectorIo {
  log: LineSink;
  /** stdout, for --check's report. */
  out: (line: string) => void;
  env: NodeJS.ProcessEnv;
  signals: EventEmitter;
  exit: (code: number) => void;
}

const LEVELS: readonly Level[] = ["DEBUG", "INFO", "WARN", "ERROR"];

export async function collectorMain(argv: readonly string[], io: CollectorIo): Promise<number> {
  const wanted = (io.env.DEFENDER_O365_LOG_LEVEL ?? "").toUpperCase();
  const logger = createJsonLogger(io.log, LEVELS.find((l) => l === wanted) ?? "INFO");
  const args = parseArgs(argv);
  if ("error" in args) {
    logger.error(args.error, { cause: "invalid_arguments" });
    return 1;
  }
  const loaded = loadStandaloneConfig(args.config, io.env);
  if (!loaded.config) {
    for (const problem of loaded.errors) {
      logger.error(problem, { cause: "config_invalid", config: args.config });
      if (args.check) io.out(problem);
    }
    if (args.check) io.out(`${loaded.errors.length} problem(s) in ${args.config}`);
    return 1;
  }
  if (args.check) {
    const problems = await checkConnections(loaded.config, logger);
    for (const p of problems) io.out(p);
    io.out(problems.length > 0 ? `${problems.length} problem(s)` : `OK: ${args.config} is valid; Entra ID, the Activity API and HEC answer for every input`);
    return problems.length > 0 ? 1 : 0;
  }
  return serve(loaded.config, args.once, logger, io);
}

function fatal(err: unknown): never {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  stderrSink(formatJsonLine("ERROR", `Unexpected failure: ${text}`, { cause: "internal_error" }));
  process.exit(1);
}

/** The process entry: run, then exit with the code once the log is written. */
export function start(argv: readonly string[]): void {
  process.on("uncaughtException", fatal);
  process.removeAllListeners("warning");
  process.on("warning", (w) => stderrSink(formatJsonLine("WARN", `Node.js ${w.name}: ${w.message}`, { cause: "node_warning" })));
  const io: CollectorIo = {
    log: stderrSink,
    out: (line) => process.stdout.write(line + "\n"),
    env: process.env,
    signals: process,
    exit: (code) => process.exit(code),
  };
  collectorMain(argv, io).then((code) => process.exit(code), fatal);
}
