// Records the knowledge-object checks run on: the real public fixtures, the project's synthetic
// records, and a slice of the simulator's synthetic tenant. The sourcetype of each is the one
// the README's table promises (./sourcetypes.ts, literal), not the collector's own choice.
import * as fs from "node:fs";
import * as path from "node:path";
import { generateTenant } from "../simulator/generator/generate";
import { expectedSourcetype } from "./sourcetypes";

export interface Sample {
  record: Record<string, unknown>;
  sourcetype: string;
  /** Where the record comes from, for messages: `<file>:<line>` or `simulator:<n>`. */
  origin: string;
}

const FIXTURES = path.join(__dirname, "..", "fixtures");

function sample(record: Record<string, unknown>, origin: string): Sample {
  return { record, sourcetype: expectedSourcetype(record.RecordType), origin };
}

/** Every record of the NDJSON files in test/fixtures/<folder>. */
export function fixtureSamples(folder: "real" | "synthetic"): Sample[] {
  const dir = path.join(FIXTURES, folder);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), "utf8")
        .split("\n")
        .map((line, i) => ({ line, origin: `${folder}/${file}:${i + 1}` }))
        .filter(({ line }) => line.trim() !== "")
        .map(({ line, origin }) => sample(JSON.parse(line) as Record<string, unknown>, origin)),
    );
}

/** A fixed slice of the simulator's tenant (its first records cover every Defender record type). */
export function simulatorSamples(count = 240): Sample[] {
  const blobs = generateTenant({
    tenantId: "9b2c5c3e-7d0a-4a57-9f0e-0f6d4c1a2b3c",
    now: new Date("2026-11-20T12:00:00Z"),
    days: 1,
    blobsPerHour: 1,
    recordsPerBlob: 20,
    seed: 4,
    contentTypes: ["Audit.General"],
  });
  const out: Sample[] = [];
  for (const blob of blobs) {
    for (let i = 0; i < blob.records.count && out.length < count; i++) {
      out.push(sample(JSON.parse(blob.records.text(i)) as Record<string, unknown>, `simulator:${out.length + 1}`));
    }
  }
  return out;
}

/** The samples the CIM check runs on. */
export function cimSamples(): Sample[] {
  return [...fixtureSamples("real"), ...fixtureSamples("synthetic"), ...simulatorSamples()];
}
