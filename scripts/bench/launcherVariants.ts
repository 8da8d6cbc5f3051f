// Compares Node/V8 settings for the launchers: the packaged input drains the same backlog once
// per variant per round (variants alternate), through the splunkd harness against the
// simulator, and each run's peak RSS, CPU seconds and wall time are printed. How the launchers'
// flags were chosen (docs/performance.md, "V8 flags and malloc arenas").
//   npx tsx scripts/bench/launcherVariants.ts [--blobs 2000] [--records 200] [--latency 100]
//     [--rounds 1] [--no-duplicates] <name>=<node flags>[;<VAR>=<value>...] ...
// A variant's Node flags replace the launcher's own V8 flags; its variables are set for the
// input (MALLOC_ARENA_MAX=16 is glibc's default on 2 cores, the launcher sets 1).
// Example: 'shipped=--liftoff-only --max-semi-space-size=8' 'defaults=--liftoff-only;MALLOC_ARENA_MAX=16'
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultTenant } from "../../test/simulator";
import { startWorld } from "../../test/lib/world";
import { watchProcess } from "./proc";

interface Variant {
  name: string;
  env: Record<string, string>;
}

function option(argv: string[], name: string, fallback: number, min = 1): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = argv.splice(at, 2);
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} takes a number >= ${min}, not ${value}`);
  return n;
}

/** A Node wrapper that drops the launcher's V8 flags and runs Node with the variant's instead. */
function variantOf(spec: string, dir: string): Variant {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new Error(`variant ${spec}: expected <name>=<node flags>[;VAR=value...]`);
  const name = spec.slice(0, eq);
  const [flags, ...vars] = spec.slice(eq + 1).split(";");
  const wrapper = path.join(dir, `node-${name.replace(/[^\w-]/g, "_")}`);
  const script = [
    "#!/bin/sh",
    'for a in "$@"; do shift; case "$a" in --liftoff-only|--max-semi-space-size=*) ;; *) set -- "$@" "$a" ;; esac; done',
    `exec "${process.execPath}" ${flags} "$@"`,
  ];
  fs.writeFileSync(wrapper, script.join("\n") + "\n", { mode: 0o755 });
  const env: Record<string, string> = { DEFENDER_O365_NODE: wrapper };
  for (const v of vars) {
    const at = v.indexOf("=");
    if (at <= 0) throw new Error(`variant ${name}: ${v} is not VAR=value`);
    env[v.slice(0, at)] = v.slice(at + 1);
  }
  return { name, env };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const blobs = option(argv, "--blobs", 2000);
  const records = option(argv, "--records", 200);
  const latencyMs = option(argv, "--latency", 100, 0);
  const rounds = option(argv, "--rounds", 1);
  const unique = argv.includes("--no-duplicates");
  if (unique) argv.splice(argv.indexOf("--no-duplicates"), 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-variants-"));
  const variants = argv.map((spec) => variantOf(spec, dir));
  if (variants.length === 0) throw new Error("name at least one variant, e.g. 'shipped=--liftoff-only --max-semi-space-size=8'");
  const backlog = { days: 1, blobsPerHour: blobs / 24, recordsPerBlob: records, seed: 24, contentTypes: ["Audit.General" as const], ...(unique ? { duplicateRate: 0 } : {}) };
  // The quota is lifted: the drain is bound by latency and CPU, so memory is what differs.
  const world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), backlog }], quotaPerMinute: 1_000_000 }, retryScale: 1 });
  try {
    world.sim.setFaults({ latencyMs });
    world.addInput("variants", { backfill_hours: "25", max_concurrency: "8" });
    console.log(`${blobs} blobs x ${records} records, ${latencyMs} ms per request, ${rounds} round(s)`);
    for (let round = 1; round <= rounds; round++) {
      for (const v of variants) {
        for (const f of fs.readdirSync(world.checkpointDir)) fs.rmSync(path.join(world.checkpointDir, f), { recursive: true, force: true });
        const started = process.hrtime.bigint();
        const handle = world.start("variants", { collectEvents: false, stdout: "count", env: v.env });
        const usage = watchProcess(handle.pid);
        const exit = await handle.exited;
        const { peakRssMb, cpuSeconds } = usage.stop();
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        if (exit.code !== 0) throw new Error(`${v.name} exited ${exit.code ?? exit.signal}: ${handle.logs.slice(-3).map((l) => l.raw).join("\n")}`);
        console.log(`round ${round} ${v.name}: peak ${peakRssMb.toFixed(0)} MB, CPU ${cpuSeconds.toFixed(2)} s, wall ${wall.toFixed(1)} s, ${handle.eventCount()} events`);
      }
    }
  } finally {
    await world.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
