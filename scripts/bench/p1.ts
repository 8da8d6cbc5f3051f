// P1 pipeline throughput: our chain against the physical limit and the add-on-style Python
// reference, on the same corpus in the same run. Rounds alternate the three so that machine
// noise hits all of them alike; each keeps its best round.
import * as path from "node:path";
import { writeCorpus, type Corpus } from "./corpus";
import { fmt, int, type BenchContext, type BenchPart, type PartResult } from "./part";
import { run, tsNode } from "./proc";

export interface P1Figures {
  corpus: Corpus;
  oursPerSecond: number;
  limitPerSecond: number;
  /** The limit when the output's UTF-8 encoding is timed too. */
  limitTextPerSecond: number;
  pythonPerSecond: number;
  outputMb: number;
}

interface WorkerResult {
  records: number;
  seconds: number;
}

export async function benchP1({ work: workDir, quick, log }: BenchContext): Promise<P1Figures> {
  const corpus = writeCorpus(path.join(workDir, "p1-corpus"), quick ? 30 : 500);
  log(`P1 corpus: ${corpus.files.length} blobs, ${corpus.records} records, ${(corpus.bytes / 1e6).toFixed(1)} MB`);
  const best = { ours: Infinity, limit: Infinity, "limit-text": Infinity, python: Infinity };
  let outputBytes = 0;
  const rounds = quick ? 1 : 3;
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ["ours", "limit", "limit-text"] as const) {
      const m = await run<WorkerResult>(...tsNode("scripts/bench/p1Worker.ts", [mode, ...corpus.files]));
      check(m.result, corpus, mode);
      best[mode] = Math.min(best[mode], m.result.seconds);
      if (mode === "ours") outputBytes = m.stdoutBytes;
    }
    const py = await run<WorkerResult>("python3", [path.join(__dirname, "reference_pipeline.py"), ...corpus.files]);
    check(py.result, corpus, "python");
    best.python = Math.min(best.python, py.result.seconds);
    log(`P1 round ${round} (best so far): ours ${best.ours.toFixed(3)} s, limit ${best.limit.toFixed(3)} s, limit with encoding ${best["limit-text"].toFixed(3)} s, python ${best.python.toFixed(3)} s`);
  }
  return {
    corpus,
    oursPerSecond: corpus.records / best.ours,
    limitPerSecond: corpus.records / best.limit,
    limitTextPerSecond: corpus.records / best["limit-text"],
    pythonPerSecond: corpus.records / best.python,
    outputMb: outputBytes / 1e6,
  };
}

function check(result: WorkerResult, corpus: Corpus, who: string): void {
  if (result.records !== corpus.records) throw new Error(`P1 ${who} handled ${result.records} records, the corpus has ${corpus.records}`);
}

export function p1Rows(f: P1Figures): PartResult {
  const { oursPerSecond: ours, limitPerSecond: limit, limitTextPerSecond: limitText, pythonPerSecond: python } = f;
  return {
    rows: [
      { id: "P1", figure: "pipeline records/s (ours)", measured: int(ours), target: "" },
      { id: "P1a", figure: "ours / physical limit (JSON.parse + one write)", measured: `${fmt(ours / limit)}x (${int(limit)}/s)`, target: ">= 0.5x", pass: ours / limit >= 0.5 },
      { id: "P1b", figure: "ours / add-on-style Python pipeline", measured: `${fmt(ours / python, 1)}x (${int(python)}/s)`, target: ">= 10x", pass: ours / python >= 10 },
      { id: "P1c", figure: "ceiling: physical limit / Python", measured: `${fmt(limit / python, 1)}x`, target: "" },
      { id: "P1d", figure: "ours / limit with the output's UTF-8 encoding timed", measured: `${fmt(ours / limitText)}x (${int(limitText)}/s)`, target: "" },
    ],
    details: [
      `- **P1** corpus: ${f.corpus.files.length} blobs, ${int(f.corpus.records)} records, ${fmt(f.corpus.bytes / 1e6, 1)} MB ` +
        `(simulator generator, seed fixed; plus test/fixtures/real when present); output ${fmt(f.outputMb, 1)} MB of XML. ` +
        "Each pipeline runs in its own process with stdout a pipe read by the bench; best of the rounds.",
    ],
  };
}

export const p1: BenchPart = { name: "P1", title: "P1 pipeline throughput", run: async (ctx) => p1Rows(await benchP1(ctx)) };
