// The packaged standalone collector (bin/defender_o365_collector.sh of the app installed from the
// archive) wired to a World's Activity API simulator and a HEC stand-in: a config file with
// secrets in files, a state_dir, and helpers to run the process and read its JSON log.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID } from "../simulator";
import { startHec, type HecOptions, type HecStandIn, type IndexedEvent } from "../hec/server";
import type { World } from "./world";

export interface JsonLog {
  level: string;
  message: string;
  input?: string;
  cause?: string;
  [key: string]: unknown;
}

export interface CollectorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  logs: JsonLog[];
}

export interface CollectorProcess {
  proc: ChildProcess;
  exited: Promise<CollectorExit>;
}

export interface Collector {
  hec: HecStandIn;
  dir: string;
  configFile: string;
  stateDir: string;
  /** The secrets the config points at, to prove none leaks. */
  secrets: string[];
  start(args: string[]): CollectorProcess;
  run(args: string[], timeoutMs?: number): Promise<CollectorExit>;
  close(): Promise<void>;
}

export interface CollectorOptions {
  hec?: HecOptions;
  /** Extra input settings (the input's arguments by name). */
  input?: Record<string, unknown>;
  hecConfig?: Record<string, unknown>;
  env?: Record<string, string>;
}

export const COLLECTOR_HOST = "collector-host";
export const COLLECTOR_INDEX = "o365";

export function parseJsonLog(stderr: string): JsonLog[] {
  return stderr
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as JsonLog;
      } catch {
        return { level: "NOT_JSON", message: l };
      }
    });
}

/** The record Id of an indexed event (its event string is the record's JSON). */
export function indexedId(e: IndexedEvent): string {
  return (JSON.parse(e.event as string) as { Id: string }).Id;
}

export async function startCollector(world: World, opts: CollectorOptions = {}): Promise<Collector> {
  const hec = await startHec(opts.hec);
  const dir = fs.mkdtempSync(path.join(world.splunkd.splunkHome, "collector-"));
  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  write("hec.token", hec.token + "\n");
  write("client.secret", DEFAULT_CLIENT_SECRET + "\n");
  const stateDir = path.join(dir, "state");
  const configFile = write(
    "collector.json",
    JSON.stringify(
      {
        hec: { url: hec.url, token_file: "hec.token", ca_file: hec.caFile, index: COLLECTOR_INDEX, ...opts.hecConfig },
        state_dir: "state",
        inputs: [
          {
            name: "contoso",
            tenant_id: DEFAULT_TENANT_ID,
            client_id: DEFAULT_CLIENT_ID,
            client_secret_file: "client.secret",
            api_url: world.sim.url,
            authority_url: world.sim.url,
            content_types: "Audit.General",
            backfill_hours: 48,
            host: COLLECTOR_HOST,
            interval: 300,
            ...opts.input,
          },
        ],
      },
      null,
      2,
    ),
  );
  const launcher = path.join(world.splunkd.appDir, "bin", "defender_o365_collector.sh");
  const start = (args: string[]): CollectorProcess => {
    const proc = spawn(launcher, args, { cwd: dir, env: { ...process.env, ...world.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    proc.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    proc.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    const exited = new Promise<CollectorExit>((resolve) =>
      proc.once("close", (code, signal) => resolve({ code, signal, stderr, stdout, logs: parseJsonLog(stderr) })),
    );
    return { proc, exited };
  };
  return {
    hec,
    dir,
    configFile,
    stateDir,
    secrets: [DEFAULT_CLIENT_SECRET, hec.token],
    start,
    async run(args, timeoutMs = 120_000) {
      const p = start(args);
      const timer = setTimeout(() => p.proc.kill("SIGKILL"), timeoutMs);
      const exit = await p.exited;
      clearTimeout(timer);
      return exit;
    },
    close: () => hec.close(),
  };
}
