// `npm run bench` (after `tsx scripts/build.ts`): the performance figures of issues 7 and 12,
// each a ratio measured side by side in this run, printed as a table and written to
// docs/performance.md. `--quick` runs a short version (smaller corpus, backlog and Id count);
// `--only P0,P1` runs some parts and only prints them. A part is a module exporting a BenchPart
// (scripts/bench/part.ts): add a figure by adding its module to PARTS.
// Never part of CI gating: it always exits 0 unless a benchmark itself breaks.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageApp } from "./package";
import { drain } from "./bench/drain";
import { hec } from "./bench/hec";
import { p0 } from "./bench/p0";
import { p1 } from "./bench/p1";
import { p5 } from "./bench/p5";
import type { BenchPart, Row } from "./bench/part";
import { ROOT } from "./bench/proc";
import { machine, table, writeReport } from "./bench/report";

const PARTS: readonly BenchPart[] = [p0, p1, p5, drain, hec];
const FIXES = path.join(__dirname, "bench", "fixes.md");

function selected(argv: readonly string[]): readonly BenchPart[] {
  const at = argv.indexOf("--only");
  if (at === -1) return PARTS;
  const names = (argv[at + 1] ?? "").split(",");
  const parts = PARTS.filter((p) => names.includes(p.name));
  if (parts.length === 0) throw new Error(`--only takes part names from ${PARTS.map((p) => p.name).join(",")}`);
  return parts;
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const parts = selected(process.argv);
  const log = (line: string): void => console.log(`  ${line}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "defender-bench-"));
  const rows: Row[] = [];
  const details: string[] = [];
  const started = Date.now();
  packageApp(); // the archive of the build that `npm run bench` just made, for the end-to-end parts
  try {
    for (const part of parts) {
      console.log(`bench${quick ? " --quick" : ""}: ${part.title}`);
      // A part that breaks is reported as not run; the others still give their figures.
      try {
        const result = await part.run({ work, quick, log });
        rows.push(...result.rows);
        details.push(...result.details);
      } catch (err) {
        details.push(`- **${part.name}** not run: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
        console.error(`  ${part.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`\n${table(rows)}\n`);
  if (parts !== PARTS) return;
  const command = ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");
  const report = path.join(ROOT, "docs", "performance.md");
  writeReport(report, command, machine(), rows, details, fs.existsSync(FIXES) ? fs.readFileSync(FIXES, "utf8") : "");
  console.log(`wrote ${path.relative(ROOT, report)} in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
