// `npm run bench` (after `tsx scripts/build.ts`): the five performance figures of issue 7, each
// a ratio measured side by side in this run, printed as a table and written to
// docs/performance.md. `--quick` runs a short version (smaller corpus, backlog and Id count).
// Never part of CI gating: it always exits 0 unless a benchmark itself breaks.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageApp } from "./package";
import { benchDrain } from "./bench/drain";
import { benchP1 } from "./bench/p1";
import { benchP5 } from "./bench/p5";
import { ROOT } from "./bench/proc";
import { machine, rows, table, writeReport, type Figures } from "./bench/report";

const FIXES = path.join(__dirname, "bench", "fixes.md");

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const log = (line: string): void => console.log(`  ${line}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "defender-bench-"));
  const figures: Figures = { skipped: {} };
  const started = Date.now();
  // A part that breaks is reported as not run; the others still give their figures.
  const part = async (name: string, title: string, body: () => Promise<void>): Promise<void> => {
    console.log(`bench${quick ? " --quick" : ""}: ${title}`);
    try {
      await body();
    } catch (err) {
      figures.skipped[name] = err instanceof Error ? err.message.split("\n")[0] : String(err);
      console.error(`  ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  };
  try {
    await part("P1", "P1 pipeline throughput", async () => void (figures.p1 = await benchP1(work, quick, log)));
    await part("P5", "P5 dedupe state", async () => void (figures.p5 = await benchP5(work, quick, log)));
    await part("P2-P4", "P2 drain, P3 memory, P4 API efficiency (packaged input through the splunkd harness)", async () => {
      packageApp(); // the archive of the build that `npm run bench` just made
      figures.drain = await benchDrain(quick, log);
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const all = rows(figures);
  console.log(`\n${table(all)}\n`);
  const command = `npm run bench${quick ? " -- --quick" : ""}`;
  const report = path.join(ROOT, "docs", "performance.md");
  writeReport(report, command, machine(), figures, all, fs.existsSync(FIXES) ? fs.readFileSync(FIXES, "utf8") : "");
  console.log(`wrote ${path.relative(ROOT, report)} in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
