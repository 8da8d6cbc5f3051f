// The fixed P1 corpus: realistic blobs from the simulator's generator (same seed, same bytes)
// plus, when present, the real records under test/fixtures/real, written to a folder as one
// file per blob so every pipeline under test reads exactly the same bytes.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ContentType } from "../../src/config/inputConfig";
import { generateTenant } from "../../test/simulator/generator/generate";

export const BENCH_TENANT = "11111111-2222-3333-4444-555555555555";
const REAL_FIXTURES = path.resolve(__dirname, "..", "..", "test", "fixtures", "real");

export interface Corpus {
  files: string[];
  records: number;
  bytes: number;
}

/** Real fixture records (NDJSON files, one record per line), as one blob. */
function realFixtureBlob(): string | undefined {
  if (!fs.existsSync(REAL_FIXTURES)) return undefined;
  const records: unknown[] = [];
  for (const name of fs.readdirSync(REAL_FIXTURES).sort()) {
    if (!name.endsWith(".ndjson")) continue;
    for (const line of fs.readFileSync(path.join(REAL_FIXTURES, name), "utf8").split("\n")) {
      if (line.trim() !== "") records.push(JSON.parse(line));
    }
  }
  return records.length > 0 ? JSON.stringify(records) : undefined;
}

/**
 * Writes `blobs` generated blobs of `recordsPerBlob` records (Defender-heavy Audit.General with
 * some Audit.Exchange, 1% hostile text and 1% duplicates as the simulator serves them).
 */
export function writeCorpus(dir: string, blobs: number, recordsPerBlob = 200): Corpus {
  fs.mkdirSync(dir, { recursive: true });
  const contentTypes: ContentType[] = ["Audit.General", "Audit.Exchange"];
  const generated = generateTenant({
    tenantId: BENCH_TENANT,
    now: new Date("2026-11-20T12:00:00Z"),
    days: 1,
    blobsPerHour: Math.ceil(blobs / 24 / contentTypes.length),
    recordsPerBlob,
    seed: 20261120,
    contentTypes,
  }).slice(0, blobs);
  const bodies = generated.map((b) => "[" + Array.from({ length: b.records.count }, (_, i) => b.records.text(i)).join(",") + "]");
  const real = realFixtureBlob();
  if (real) bodies.push(real);
  const corpus: Corpus = { files: [], records: 0, bytes: 0 };
  bodies.forEach((body, i) => {
    const file = path.join(dir, `blob-${String(i).padStart(5, "0")}.json`);
    fs.writeFileSync(file, body);
    corpus.files.push(file);
    corpus.bytes += Buffer.byteLength(body);
    corpus.records += (JSON.parse(body) as unknown[]).length;
  });
  return corpus;
}
