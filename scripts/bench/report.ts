// Prints the benchmark rows (figure, measured, target, pass/miss) as a table, and writes
// docs/performance.md with the command, the machine, the date and how each figure was measured.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fmt, type Row } from "./part";

const status = (r: Row): string => (r.pass === undefined ? "" : r.pass ? "pass" : "MISS");

export function table(all: Row[]): string {
  const cells = [["", "figure", "measured", "target", "result"], ...all.map((r) => [r.id, r.figure, r.measured, r.target, status(r)])];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

function markdownTable(all: Row[]): string {
  const lines = ["| | figure | measured | target | result |", "|---|---|---|---|---|"];
  for (const r of all) lines.push(`| ${r.id} | ${r.figure} | ${r.measured} | ${r.target} | ${status(r)} |`);
  return lines.join("\n");
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  python: string;
  load: string;
}

export function machine(): Machine {
  let python = "not found";
  try {
    python = execFileSync("python3", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    // the Python reference is then skipped
  }
  let cpus = os.cpus().length;
  try {
    cpus = Number(execFileSync("nproc", { encoding: "utf8" }).trim()) || cpus;
  } catch {
    // os.cpus() is the fallback
  }
  return {
    cpus,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: os.totalmem() / 2 ** 30,
    node: process.version,
    python,
    load: os.loadavg().map((l) => l.toFixed(2)).join(" "),
  };
}

export function writeReport(file: string, command: string, m: Machine, all: Row[], details: string[], extra: string): void {
  const text = [
    "# Performance",
    "",
    "Written by `npm run bench` (scripts/bench.ts); figures are ratios measured side by side in one run.",
    "",
    `- Command: \`${command}\``,
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${m.cpus} CPUs (nproc), ${m.cpuModel}, ${fmt(m.memoryGb, 1)} GiB RAM, Node ${m.node}, ${m.python}; load average at the end ${m.load}`,
    "",
    markdownTable(all),
    "",
    "## How each figure is measured",
    "",
    ...details,
    "",
    extra.trim(),
    "",
  ].join("\n");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
