// Runs one benchmark process with its stdout a pipe this process reads (and counts), and
// returns the process's own `RESULT {...}` line and its peak RSS, as /usr/bin/time reports
// it (the kernel's maxrss of the child), or sampled from /proc/<pid>/status VmHWM without it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
const TIME = "/usr/bin/time";
const RSS_MARK = "BENCH_MAXRSS_KB=";

export interface Measured<T> {
  result: T;
  peakRssMb: number;
  stdoutBytes: number;
  wallSeconds: number;
}

/** `node --import tsx <script>`: the benchmark workers run from source, like the tests. */
export function tsNode(script: string, args: readonly string[], nodeFlags: readonly string[] = []): [string, string[]] {
  return [process.execPath, [...nodeFlags, "--import", "tsx", path.join(ROOT, script), ...args]];
}

export function run<T>(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Measured<T>> {
  const useTime = fs.existsSync(TIME);
  const argv = useTime ? [TIME, "-f", `${RSS_MARK}%M`, command, ...args] : [command, ...args];
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdoutBytes = 0;
    let stderr = "";
    const sampler = useTime || child.pid === undefined ? undefined : watchPeakRss(child.pid);
    child.stdout.on("data", (c: Buffer) => (stdoutBytes += c.length));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const sampledMb = sampler?.stop() ?? 0;
      const line = stderr.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || !line) return reject(new Error(`${[command, ...args].join(" ").slice(0, 300)} failed (exit ${code}):\n${stderr.slice(-2000)}`));
      const rss = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({
        result: JSON.parse(line.slice("RESULT ".length)) as T,
        peakRssMb: rss ? Number(rss[1]) / 1024 : sampledMb,
        stdoutBytes,
        wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

/** Samples a running process's peak RSS until `stop()`, which returns it in MB. */
export function watchPeakRss(pid: number, everyMs = 50): { stop: () => number } {
  let peakKb = vmHwmKb(pid);
  const timer = setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(pid))), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peakKb, vmHwmKb(pid)) / 1024;
    },
  };
}

function vmHwmKb(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process has just exited
  }
}
