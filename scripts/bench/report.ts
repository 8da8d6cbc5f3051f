// Turns the benchmark figures into rows (figure, measured, target, pass/miss), prints them as
// a table, and writes docs/performance.md with the command, the machine and the date.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DrainFigures } from "./drain";
import type { P1Figures } from "./p1";
import type { P5Figures } from "./p5";

export interface Row {
  id: string;
  figure: string;
  measured: string;
  target: string;
  /** undefined: informational, no target. */
  pass?: boolean;
}

export interface Figures {
  p1?: P1Figures;
  drain?: DrainFigures;
  p5?: P5Figures;
  /** Why a part did not run (e.g. the harness is missing). */
  skipped: Record<string, string>;
}

const fmt = (n: number, digits = 2): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (n: number): string => Math.round(n).toLocaleString("en-US");

export function rows(f: Figures): Row[] {
  const out: Row[] = [];
  if (f.p1) {
    const { oursPerSecond: ours, limitPerSecond: limit, limitTextPerSecond: limitText, pythonPerSecond: python } = f.p1;
    out.push(
      { id: "P1", figure: "pipeline records/s (ours)", measured: int(ours), target: "" },
      { id: "P1a", figure: "ours / physical limit (JSON.parse + one write)", measured: `${fmt(ours / limit)}x (${int(limit)}/s)`, target: ">= 0.5x", pass: ours / limit >= 0.5 },
      { id: "P1b", figure: "ours / add-on-style Python pipeline", measured: `${fmt(ours / python, 1)}x (${int(python)}/s)`, target: ">= 10x", pass: ours / python >= 10 },
      { id: "P1c", figure: "ceiling: physical limit / Python", measured: `${fmt(limit / python, 1)}x`, target: "" },
      { id: "P1d", figure: "ours / limit with the output's UTF-8 encoding timed", measured: `${fmt(ours / limitText)}x (${int(limitText)}/s)`, target: "" },
    );
  }
  if (f.drain) {
    const d = f.drain;
    const bound = Math.max(d.latencyBoundSeconds, d.quotaBoundSeconds);
    out.push(
      {
        id: "P2",
        figure: `drain ${int(d.blobs)} x ${d.recordsPerBlob} records: wall / bound`,
        measured: `${fmt(d.ours.wallSeconds / bound)}x (${fmt(d.ours.wallSeconds, 1)} s / ${fmt(bound, 1)} s)`,
        target: "<= 1.2x",
        pass: d.ours.wallSeconds <= 1.2 * bound && d.ours.records > 0,
      },
      {
        id: "P2b",
        figure: "TA-style schedule (1-h slices, 1 at a time) / ours",
        measured: `${fmt(d.taStyle.wallSeconds / d.ours.wallSeconds, 1)}x slower (${fmt(d.taStyle.wallSeconds, 1)} s)`,
        target: "",
      },
      { id: "P3a", figure: `peak RSS, one ${int(d.large.blobMb)} MB blob`, measured: `${int(d.large.peakRssMb)} MB`, target: "<= 200 MB", pass: d.large.peakRssMb <= 200 },
      { id: "P3b", figure: "peak RSS over the P2 drain", measured: `${int(d.ours.peakRssMb)} MB`, target: "<= 100 MB", pass: d.ours.peakRssMb <= 100 },
      { id: "P3c", figure: "peak RSS of a run with nothing new (floor)", measured: `${int(d.idlePeakRssMb)} MB`, target: "" },
      {
        id: "P4a",
        figure: "API requests per new blob, steady state",
        measured: `${fmt(d.steady.apiRequests / d.steady.newBlobs, 3)} (${d.steady.apiRequests} / ${d.steady.newBlobs})`,
        target: "<= 1.05",
        pass: d.steady.apiRequests / d.steady.newBlobs <= 1.05,
      },
      {
        id: "P4b",
        figure: "blobs re-downloaded (drain + steady state)",
        measured: String(d.ours.redownloaded + d.steady.redownloaded),
        target: "0",
        pass: d.ours.redownloaded + d.steady.redownloaded === 0,
      },
    );
  }
  if (f.p5) {
    const p = f.p5;
    const loadFor10M = (p.loadSeconds * 10_000_000) / p.ids;
    out.push(
      { id: "P5a", figure: "dedupe state on disk, bytes per Id", measured: fmt(p.diskBytesPerId, 1), target: "<= 16 B", pass: p.diskBytesPerId <= 16 },
      { id: "P5b", figure: "dedupe state in memory, bytes per Id", measured: fmt(p.memoryBytesPerId, 1), target: "" },
      {
        id: "P5c",
        figure: `load ${int(p.ids)} Ids${p.ids === 10_000_000 ? "" : " (scaled to 10 M)"}`,
        measured: `${fmt(loadFor10M, 3)} s (${fmt(p.loadSeconds / p.readSeconds, 1)}x a plain read)`,
        target: "< 1 s",
        pass: loadFor10M < 1,
      },
    );
  }
  return out;
}

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

export function writeReport(file: string, command: string, m: Machine, f: Figures, all: Row[], extra: string): void {
  const p1 = f.p1;
  const d = f.drain;
  const details: string[] = [];
  if (p1) {
    details.push(
      `- **P1** corpus: ${p1.corpus.files.length} blobs, ${int(p1.corpus.records)} records, ${fmt(p1.corpus.bytes / 1e6, 1)} MB ` +
        `(simulator generator, seed fixed; plus test/fixtures/real when present); output ${fmt(p1.outputMb, 1)} MB of XML. ` +
        "Each pipeline runs in its own process with stdout a pipe read by the bench; best of the rounds.",
    );
  }
  if (d) {
    details.push(
      `- **P2** ${int(d.blobs)} blobs x ${d.recordsPerBlob} records (24 h), 100 ms per request, 2,000 requests/min, max_concurrency 8: ` +
        `${int(d.ours.records)} records in ${fmt(d.ours.wallSeconds, 1)} s; ${int(d.ours.apiRequests)} API requests (${d.ours.pages} content pages, ${d.ours.blobFetches} blob GETs, ${d.ours.throttled} answered AF429). ` +
        `Bound = max(latency bound ${fmt(d.latencyBoundSeconds, 1)} s = (pages + ceil(blobs / 8)) x 100 ms, quota bound ${fmt(d.quotaBoundSeconds, 1)} s = floor((requests - 1) / 2,000) minutes). ` +
        `TA-style: ${int(d.taStyle.records)} records, ${int(d.taStyle.requests)} API requests.`,
      `- **P3** peak RSS sampled from /proc/<pid>/status VmHWM of the input process (the launcher execs node). Large blob: ${int(d.large.records)} records.`,
      `- **P4** steady state: ${d.steady.newBlobs} new blobs published between runs (5 minutes old, as a busy tenant); ${d.steady.tokenRequests} token requests besides the API requests.`,
    );
  }
  if (f.p5) details.push(`- **P5** ${int(f.p5.ids)} random 16-byte keys in 7 day files; load = IdStore.load in a fresh process (best of rounds), memory = its RSS growth after a full GC.`);
  for (const [part, why] of Object.entries(f.skipped)) details.push(`- **${part}** not run: ${why}`);
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
