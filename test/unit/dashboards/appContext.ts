// Builds the SPL lint's context from the app's own files: macros.conf, transforms.conf (+ the
// lookup CSV headers), eventtypes.conf, and the fields each sourcetype's events carry at search
// time: the knowledge objects' own model of props.conf (test/lib/searchTime.ts) applied to the
// project's sample records (test/lib/samples.ts) plus a few records of our own (records.json:
// documented key spellings the fixtures lack, such as AIR's DeeplinkURL).
import * as fs from "node:fs";
import * as path from "node:path";
import { confToMap, readConf } from "../../lib/conf";
import { cimSamples, Sample } from "../../lib/samples";
import { searchTimeFields } from "../../lib/searchTime";
import { DEFAULT_FIELDS, MacroDef, SplContext, vocabulary } from "../../lib/splLint";
import { sourcetypeFor } from "../../../src/collector/sourcetype";
import { formatJsonLine } from "../../../src/standalone/jsonLogger";

export const APP_ROOT = path.join(__dirname, "..", "..", "..");

type Conf = Map<string, Map<string, string>>;

function conf(file: string): Conf {
  const p = path.join(APP_ROOT, "default", file);
  return fs.existsSync(p) ? confToMap(readConf(p)) : new Map();
}

export function loadMacros(macros: Conf): Map<string, MacroDef> {
  const out = new Map<string, MacroDef>();
  for (const [name, settings] of macros) {
    const definition = settings.get("definition");
    if (!name || definition === undefined) continue;
    const args = (settings.get("args") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
    out.set(name, { definition, args });
  }
  return out;
}

function csvHeader(file: string): string[] | undefined {
  const p = path.join(APP_ROOT, "lookups", file);
  if (!fs.existsSync(p)) return undefined;
  const first = fs.readFileSync(p, "utf8").split(/\r?\n/, 1)[0];
  return first.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
}

/** transforms.conf lookups (file or KV store) -> columns; a CSV is also usable by its file name. */
export function loadLookups(transforms: Conf): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, settings] of transforms) {
    const file = settings.get("filename");
    const fieldsList = settings.get("fields_list");
    const columns = file ? csvHeader(file) : fieldsList?.split(",").map((f) => f.trim());
    if (!columns) continue;
    out.set(name, columns);
    if (file) out.set(file, columns);
  }
  return out;
}

export function loadEventtypes(eventtypes: Conf): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const resolve = (name: string, seen: Set<string>): string[] => {
    const search = eventtypes.get(name)?.get("search") ?? "";
    const sts = [...search.matchAll(/\bsourcetype\s*=\s*("?)([^\s"()]+)\1/g)].map((m) => m[2]);
    for (const m of search.matchAll(/\beventtype\s*=\s*("?)([^\s"()]+)\1/g)) {
      if (!seen.has(m[2])) sts.push(...resolve(m[2], new Set([...seen, m[2]])));
    }
    return sts;
  };
  for (const name of eventtypes.keys()) if (name) out.set(name, [...new Set(resolve(name, new Set([name])))]);
  return out;
}

/** Records of our own, in the shape test/lib/samples.ts gives. */
export function ownSamples(): Sample[] {
  const records = JSON.parse(fs.readFileSync(path.join(__dirname, "records.json"), "utf8")) as Record<string, unknown>[];
  return records.map((record, i) => ({ record, sourcetype: sourcetypeFor(record.RecordType), origin: `records.json:${i}` }));
}

/** sourcetype -> every field any sample event of it has at search time. */
export function fieldsBySourcetype(samples: Sample[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { record, sourcetype } of samples) {
    const set = out.get(sourcetype) ?? new Set<string>();
    for (const name of searchTimeFields(record, sourcetype).keys()) set.add(name);
    out.set(sourcetype, set);
  }
  return out;
}

/** The standalone collector's JSON log (sourcetype defender_o365:collector): the keys of its lines, KV_MODE json. */
export function collectorLogFields(): Set<string> {
  const lines = [
    formatJsonLine("INFO", "run_summary", { input: "a", content_type: "Audit.General", blobs: 1, records: 1, duplicates_dropped: 0, filtered: 0, expired: 0, lag_seconds: 1, errors: 0, windows: 1, complete: true }),
    formatJsonLine("WARN", "w", { input: "a", cause: "throttled" }),
  ];
  return new Set(lines.flatMap((l) => Object.keys(JSON.parse(l) as object)));
}

let cached: SplContext | undefined;

/** The app's context, built once per test run (it reads every sample record). */
export function loadContext(): SplContext {
  cached ??= {
    vocabulary,
    macros: loadMacros(conf("macros.conf")),
    lookups: loadLookups(conf("transforms.conf")),
    eventtypes: loadEventtypes(conf("eventtypes.conf")),
    fieldsBySourcetype: fieldsBySourcetype([...cimSamples(), ...ownSamples()]).set("defender_o365:collector", collectorLogFields()),
    defaultFields: new Set(DEFAULT_FIELDS),
  };
  return cached;
}
