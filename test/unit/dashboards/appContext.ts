// Builds the SPL lint's context from the app's own files: macros.conf, transforms.conf (+ the
// lookup CSV headers), eventtypes.conf, props.conf, and sample records for the raw JSON fields.
import * as fs from "node:fs";
import * as path from "node:path";
import { confToMap, readConf } from "../../lib/conf";
import { flattenJson } from "../../lib/splunkJson";
import { DEFAULT_FIELDS, lookupSpec, MacroDef, SplContext, vocabulary } from "../../lib/splLint";
import { sourcetypeFor } from "../../../src/collector/sourcetype";

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

/** Fields props.conf creates for one stanza: EVAL, FIELDALIAS, LOOKUP outputs, EXTRACT/REPORT groups. */
export function knowledgeFields(stanza: Map<string, string>, transforms: Conf, lookups: Map<string, string[]>): string[] {
  const out: string[] = [];
  const groups = (regex: string) => [...regex.matchAll(/\(\?P?<([A-Za-z_]\w*)>/g)].map((m) => m[1]);
  for (const [key, value] of stanza) {
    const [kind, ...rest] = key.split("-");
    const name = rest.join("-").trim();
    if (kind === "EVAL") out.push(name);
    else if (kind === "FIELDALIAS") out.push(...[...value.matchAll(/\sASNEW\s+("?)([^\s"]+)\1|\sAS\s+("?)([^\s"]+)\3/gi)].map((m) => m[2] ?? m[4]));
    else if (kind === "EXTRACT") out.push(...groups(value));
    else if (kind === "REPORT") {
      for (const t of value.split(",").map((v) => v.trim())) {
        const tr = transforms.get(t);
        out.push(...groups(tr?.get("REGEX") ?? ""));
        out.push(...[...(tr?.get("FORMAT") ?? "").matchAll(/([A-Za-z_][\w.{}]*)::/g)].map((m) => m[1]));
        out.push(...(tr?.get("FIELDS") ?? "").split(",").map((f) => f.trim().replace(/"/g, "")).filter(Boolean));
      }
    } else if (kind === "LOOKUP") {
      const [table, ...spec] = value.trim().split(/\s+/);
      out.push(...lookupSpec(spec.join(" "), lookups.get(table) ?? []).outputs.map(([, field]) => field));
    }
  }
  return out.filter(Boolean);
}

export function sampleRecords(): Record<string, unknown>[] {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "records.json"), "utf8")) as Record<string, unknown>[];
}

export function loadContext(): SplContext {
  const transforms = conf("transforms.conf");
  const props = conf("props.conf");
  const lookups = loadLookups(transforms);
  const fieldsBySourcetype = new Map<string, Set<string>>();
  for (const record of sampleRecords()) {
    const st = sourcetypeFor(record.RecordType);
    const set = fieldsBySourcetype.get(st) ?? new Set<string>();
    for (const name of flattenJson(record).keys()) set.add(name);
    fieldsBySourcetype.set(st, set);
  }
  for (const [st, set] of fieldsBySourcetype) {
    knowledgeFields(props.get(st) ?? new Map(), transforms, lookups).forEach((f) => set.add(f));
  }
  return {
    vocabulary,
    macros: loadMacros(conf("macros.conf")),
    lookups,
    eventtypes: loadEventtypes(conf("eventtypes.conf")),
    fieldsBySourcetype,
    defaultFields: new Set(DEFAULT_FIELDS),
  };
}
