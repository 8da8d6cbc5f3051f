// What one benchmark module gives `npm run bench` (scripts/bench.ts): its rows of the table and
// the lines saying how they were measured. A new figure is a new module exporting a BenchPart,
// added to the list in scripts/bench.ts; nothing else changes.

export interface Row {
  id: string;
  figure: string;
  measured: string;
  target: string;
  /** undefined: informational, no target. */
  pass?: boolean;
}

export interface BenchContext {
  /** A scratch folder, removed after the run. */
  work: string;
  /** `--quick`: a short version (smaller corpus, fewer rounds). */
  quick: boolean;
  log: (line: string) => void;
}

export interface PartResult {
  rows: Row[];
  /** Markdown bullets for "How each figure is measured". */
  details: string[];
}

export interface BenchPart {
  /** Short name, e.g. "P0" (also the name under which a failure is reported). */
  name: string;
  title: string;
  run: (ctx: BenchContext) => Promise<PartResult>;
}

export const fmt = (n: number, digits = 2): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const int = (n: number): string => Math.round(n).toLocaleString("en-US");

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
