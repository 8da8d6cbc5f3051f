// Runs one benchmark process with its stdout a pipe this process reads (and counts), and
// returns the process's own `RESULT {...}` line and its peak RSS, as /usr/bin/time reports
// it (the kernel's maxrss of the child), or sampled from /proc/<pid>/status VmHWM without it.
// watchProcess samples the peak RSS and CPU time of a process some other code spawned.
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
    const sampler = useTime || child.pid === undefined ? undefined : watchProcess(child.pid);
    child.stdout.on("data", (c: Buffer) => (stdoutBytes += c.length));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const sampledMb = sampler?.stop().peakRssMb ?? 0;
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

export interface ProcessUse {
  peakRssMb: number;
  /** User + system CPU time, as last sampled (up to one sampling interval short at exit). */
  cpuSeconds: number;
}

/** Samples a running process's peak RSS and CPU time until `stop()`. */
export function watchProcess(pid: number, everyMs = 50): { stop: () => ProcessUse } {
  let peakKb = vmHwmKb(pid);
  let cpu = cpuSeconds(pid);
  const sample = (): void => {
    peakKb = Math.max(peakKb, vmHwmKb(pid));
    cpu = Math.max(cpu, cpuSeconds(pid));
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakRssMb: peakKb / 1024, cpuSeconds: cpu };
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

/** Linux counts utime and stime (fields 14 and 15 of /proc/<pid>/stat) in ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0; // the process has just exited
  }
}
