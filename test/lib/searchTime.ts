// What an analyst's search sees on one of our events, computed without Splunk from the app's own
// default/props.conf, transforms.conf, lookups/, eventtypes.conf and tags.conf.
//
// Splunk's search-time sequence (Knowledge Manager manual, "The sequence of search-time
// operations"): EXTRACT -> REPORT -> KV_MODE -> FIELDALIAS -> EVAL -> LOOKUP -> eventtypes -> tags.
// Supported subset (anything else in our props throws, so the props stay inside it):
//   - EXTRACT-<class> = <regex> [in <field>]: named groups, first match, on _raw or a field an
//     earlier extraction made; REPORT-<class> = <transform>, ...: transforms.conf REGEX with
//     named groups, SOURCE_KEY (default _raw), MV_ADD (every match, else the first). Both run
//     on the whole event: the auto-KV limits below do not apply to them;
//   - KV_MODE = json: Splunk's JSON extraction (nested keys joined by `.`, arrays marked `{}`)
//     under limits.conf's defaults (SEARCH_TIME_LIMITS): only values within the first
//     [spath] extraction_cutoff bytes and [kv] maxchars characters, at most [kv] limit fields.
//     A field an EXTRACT/REPORT made must not also come from the JSON (Splunk would keep both);
//   - FIELDALIAS-<class> = (<orig> AS|ASNEW <new>)+ with props.conf.spec's AS/ASNEW rules;
//   - EVAL-<field> = <expr>, all run on the fields as they were before any EVAL (spl/evalExpr.ts;
//     its spath() gives nothing for an input longer than extraction_cutoff, the cautious reading
//     of limits.conf.spec, which says the cutoff also applies to "the spath command");
//   - LOOKUP-<class> = <transform> (<match> [AS <event field>])+ [OUTPUT|OUTPUTNEW (<out> [AS <f>])+]
//     on CSV files, in class-name order, with transforms.conf's filename, case_sensitive_match,
//     max_matches (default 100), match_type WILDCARD(<field>); a multivalue input is looked up
//     value by value; an event with every match field but no matching row loses its OUTPUT fields;
//   - eventtypes.conf searches (spl/searchExpr.ts): field=value with `*` wildcards, field!=value,
//     field IN (...), bare or double-quoted values, AND/OR/NOT, parentheses (no macros, no free
//     text); tags.conf [eventtype=<name>] stanzas.
// The limits are docs/reference/splunk-search-limits.md's, as a literal table here.
import * as fs from "node:fs";
import * as path from "node:path";
import { confToMap, readConf } from "./conf";
import { flattenJsonWithin } from "./splunkJson";
import { compileEval, spathLimit, toFieldValues, type CompiledEval } from "./spl/evalExpr";
import { compileSearch, type Fields } from "./spl/searchExpr";

export const APP_ROOT = path.join(__dirname, "..", "..");

/** limits.conf defaults that bound automatic (KV_MODE) extraction at search time. */
export interface SearchTimeLimits {
  /** [spath] extraction_cutoff: bytes of the event auto-KV and spath read */
  extractionCutoffBytes: number;
  /** [kv] maxchars: characters of _raw auto-KV reads */
  kvMaxChars: number;
  /** [kv] limit: fields auto-KV creates */
  kvLimit: number;
}

export const SPLUNK_DEFAULT_LIMITS: SearchTimeLimits = { extractionCutoffBytes: 5000, kvMaxChars: 10240, kvLimit: 100 };
/** What a search would see if Splunk read every byte (the reference the limits are checked against). */
export const NO_LIMITS: SearchTimeLimits = { extractionCutoffBytes: Infinity, kvMaxChars: Infinity, kvLimit: Infinity };

type Settings = Map<string, string>;
type FieldMap = Map<string, string[]>;

interface Lookup {
  columns: string[];
  rows: string[][];
  caseSensitive: boolean;
  maxMatches: number;
  wildcards: Set<string>;
}

interface App {
  props: Map<string, Settings>;
  transforms: Map<string, Settings>;
  evals: Map<string, CompiledEval>;
  lookups: Map<string, Lookup>;
  eventtypes: Map<string, (fields: Fields) => boolean>;
  tags: Map<string, string[]>;
}

/** RFC 4180 CSV as Splunk lookup files use it: first row = column names. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += text[++i];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

function isTrue(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : /^(1|true|t|yes)$/i.test(value);
}

function loadLookup(root: string, stanza: string, settings: Settings): Lookup {
  const filename = settings.get("filename");
  if (!filename) throw new Error(`transforms.conf [${stanza}]: only file lookups (filename = ...) are supported`);
  const [columns, ...rows] = parseCsv(fs.readFileSync(path.join(root, "lookups", filename), "utf8"));
  const wildcards = new Set<string>();
  for (const spec of (settings.get("match_type") ?? "").split(/,\s*/).filter(Boolean)) {
    const m = /^WILDCARD\((.+)\)$/.exec(spec.trim());
    if (!m) throw new Error(`transforms.conf [${stanza}]: match_type ${spec} is outside the supported subset`);
    wildcards.add(m[1]);
  }
  return {
    columns,
    rows,
    caseSensitive: isTrue(settings.get("case_sensitive_match"), true),
    maxMatches: Number(settings.get("max_matches") ?? 100),
    wildcards,
  };
}

const loaded = new Map<string, App>();

function loadApp(root: string): App {
  const conf = (name: string) => {
    const file = path.join(root, "default", name);
    return fs.existsSync(file) ? confToMap(readConf(file)) : new Map<string, Settings>();
  };
  const props = conf("props.conf");
  const transforms = conf("transforms.conf");
  const evals = new Map<string, CompiledEval>();
  for (const settings of props.values()) {
    for (const [key, value] of settings) if (key.startsWith("EVAL-") && !evals.has(value)) evals.set(value, compileEval(value));
  }
  const lookups = new Map<string, Lookup>();
  for (const [name, settings] of transforms) if (settings.has("filename")) lookups.set(name, loadLookup(root, name, settings));
  const eventtypes = new Map<string, (fields: Fields) => boolean>();
  for (const [name, settings] of conf("eventtypes.conf")) {
    const search = settings.get("search");
    if (search && settings.get("disabled") !== "1") eventtypes.set(name, compileSearch(search));
  }
  const tags = new Map<string, string[]>();
  for (const [stanza, settings] of conf("tags.conf")) {
    const m = /^eventtype=(.+)$/.exec(stanza);
    if (!m) throw new Error(`tags.conf [${stanza}]: only eventtype=<name> stanzas are supported`);
    tags.set(m[1], [...settings].filter(([, v]) => v === "enabled").map(([k]) => k));
  }
  return { props, transforms, evals, lookups, eventtypes, tags };
}

/** The app's knowledge objects, read once per app folder (tests may point at a small app of their own). */
function app(root = APP_ROOT): App {
  let found = loaded.get(root);
  if (!found) {
    found = loadApp(root);
    loaded.set(root, found);
  }
  return found;
}

/** props.conf settings of a sourcetype whose key starts with `prefix`, in class-name order. */
function classes(settings: Settings, prefix: string): [string, string][] {
  return [...settings].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Splits a props value into words, keeping double-quoted names together. */
function words(value: string): string[] {
  return [...value.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

function applyAliases(settings: Settings, fields: FieldMap): void {
  for (const [key, value] of classes(settings, "FIELDALIAS-")) {
    const w = words(value);
    if (w.length % 3 !== 0) throw new Error(`props.conf ${key}: expected (<orig> AS|ASNEW <new>)+`);
    for (let i = 0; i < w.length; i += 3) {
      const [orig, mode, alias] = [w[i], w[i + 1].toUpperCase(), w[i + 2]];
      if (mode !== "AS" && mode !== "ASNEW") throw new Error(`props.conf ${key}: ${w[i + 1]} is not AS or ASNEW`);
      const source = fields.get(orig);
      if (mode === "AS") {
        if (source) fields.set(alias, [...source]);
        else fields.delete(alias);
      } else if (source && !fields.has(alias)) fields.set(alias, [...source]);
    }
  }
}

function applyEvals(settings: Settings, fields: FieldMap, evals: Map<string, CompiledEval>): void {
  const before = new Map(fields);
  const env = (name: string) => before.get(name);
  for (const [key, source] of classes(settings, "EVAL-")) {
    const result = toFieldValues(evals.get(source)!.run(env));
    const field = key.slice("EVAL-".length);
    if (result) fields.set(field, result);
    else fields.delete(field);
  }
}

function cellMatches(lookup: Lookup, column: string, cell: string, value: string): boolean {
  if (lookup.wildcards.has(column) && cell.includes("*")) {
    const re = new RegExp(`^${cell.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, lookup.caseSensitive ? "s" : "is");
    return re.test(value);
  }
  return lookup.caseSensitive ? cell === value : cell.toLowerCase() === value.toLowerCase();
}

interface LookupSpec {
  transform: string;
  inputs: { column: string; field: string }[];
  outputs: { column: string; field: string }[];
  outputNew: boolean;
}

function parseLookupSpec(key: string, value: string): LookupSpec {
  const [transform, ...rest] = words(value);
  const spec: LookupSpec = { transform, inputs: [], outputs: [], outputNew: false };
  let target = spec.inputs;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (/^OUTPUT(NEW)?$/i.test(w)) {
      spec.outputNew = w.toUpperCase() === "OUTPUTNEW";
      target = spec.outputs;
      continue;
    }
    if (rest[i + 1]?.toUpperCase() === "AS") {
      target.push({ column: w, field: rest[i + 2] });
      i += 2;
    } else target.push({ column: w, field: w });
  }
  if (spec.inputs.length === 0 || spec.outputs.length === 0) throw new Error(`props.conf ${key}: name the match and OUTPUT fields explicitly`);
  return spec;
}

function applyLookups(settings: Settings, fields: FieldMap, lookups: Map<string, Lookup>): void {
  for (const [key, value] of classes(settings, "LOOKUP-")) {
    const spec = parseLookupSpec(key, value);
    const lookup = lookups.get(spec.transform);
    if (!lookup) throw new Error(`props.conf ${key}: no file lookup [${spec.transform}] in transforms.conf`);
    const inputs = spec.inputs.map((i) => ({ index: lookup.columns.indexOf(i.column), values: fields.get(i.field) }));
    if (inputs.some((i) => i.index < 0)) throw new Error(`props.conf ${key}: a match field is not a column of ${spec.transform}`);
    if (inputs.some((i) => !i.values)) continue; // the event lacks a match field: nothing happens
    if (inputs.filter((i) => i.values!.length > 1).length > 1) throw new Error(`props.conf ${key}: several multivalue inputs are outside the supported subset`);
    const mv = inputs.findIndex((i) => i.values!.length > 1);
    const probes = mv < 0 ? [0] : inputs[mv].values!.map((_, n) => n);
    const out = new Map<string, string[]>(spec.outputs.map((o) => [o.field, []]));
    for (const n of probes) {
      const matches = lookup.rows
        .filter((row) => inputs.every((input, k) => cellMatches(lookup, spec.inputs[k].column, row[input.index] ?? "", input.values![k === mv ? n : 0])))
        .slice(0, lookup.maxMatches);
      for (const row of matches) {
        for (const o of spec.outputs) {
          const col = lookup.columns.indexOf(o.column);
          if (col < 0) throw new Error(`props.conf ${key}: ${o.column} is not a column of ${spec.transform}`);
          if (row[col] !== "") out.get(o.field)!.push(row[col]);
        }
      }
    }
    for (const [field, vals] of out) {
      if (spec.outputNew && fields.has(field)) continue;
      if (vals.length > 0) fields.set(field, vals);
      else if (!spec.outputNew) fields.delete(field);
    }
  }
}

/** Characters of `raw` that lie within its first `bytes` UTF-8 bytes. */
function charsWithinBytes(raw: string, bytes: number): number {
  if (!Number.isFinite(bytes) || Buffer.byteLength(raw) <= bytes) return raw.length;
  return Buffer.from(raw).subarray(0, bytes).toString("utf8").replace(/\uFFFD$/, "").length;
}

/**
 * PCRE -> JavaScript for the regexes we ship: possessive quantifiers (`*+`, `++`, `?+`, `{n}+`)
 * become greedy ones. The app's patterns are unambiguous (no backtracking into them can match),
 * so the result is the same; possessive only keeps PCRE's DEPTH_LIMIT from growing with length.
 */
export function pcreToJs(regex: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === "\\") {
      out += c + (regex[++i] ?? "");
      continue;
    }
    if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if ("*+?}".includes(c) && regex[i + 1] === "+") {
      out += c;
      i++;
      continue;
    }
    out += c;
  }
  return out;
}

function regexGroups(key: string, regex: string): RegExp {
  const re = new RegExp(pcreToJs(regex), "g");
  if (!/\(\?<[A-Za-z_]\w*>/.test(regex)) throw new Error(`${key}: a regex without named groups is outside the supported subset`);
  return re;
}

/** EXTRACT-<class> (first match) then REPORT-<class> (transforms.conf), in class-name order. */
function applyExtractions(settings: Settings, transforms: Map<string, Settings>, fields: FieldMap): void {
  for (const [key, value] of classes(settings, "EXTRACT-")) {
    const m = /^(.*?)(?:\s+in\s+(\S+))?$/.exec(value)!;
    const source = m[2] ? fields.get(m[2])?.[0] : fields.get("_raw")?.[0];
    const groups = source === undefined ? undefined : regexGroups(`props.conf ${key}`, m[1]).exec(source)?.groups;
    for (const [name, v] of Object.entries(groups ?? {})) if (v !== undefined && !fields.has(name)) fields.set(name, [v]);
  }
  for (const [key, value] of classes(settings, "REPORT-")) {
    for (const stanza of value.split(",").map((t) => t.trim())) {
      const t = transforms.get(stanza);
      const regex = t?.get("REGEX");
      if (!t || !regex) throw new Error(`props.conf ${key}: no transforms.conf [${stanza}] with a REGEX`);
      const unsupported = [...t.keys()].filter((k) => !["REGEX", "SOURCE_KEY", "MV_ADD"].includes(k));
      if (unsupported.length) throw new Error(`transforms.conf [${stanza}]: ${unsupported.join(", ")} outside the supported subset`);
      const source = fields.get(t.get("SOURCE_KEY") ?? "_raw")?.[0];
      if (source === undefined) continue;
      const mvAdd = /^(1|true)$/i.test(t.get("MV_ADD") ?? "");
      for (const match of source.matchAll(regexGroups(`transforms.conf [${stanza}]`, regex))) {
        for (const [name, v] of Object.entries(match.groups ?? {})) {
          if (v === undefined) continue;
          const list = fields.get(name);
          if (!list) fields.set(name, [v]);
          else if (mvAdd) list.push(v);
        }
      }
    }
  }
}

/**
 * Every field an analyst gets on an event of `sourcetype` whose data is `event` (the JSON text
 * the input wrote as _raw, or the record, written compactly as the API sends it), after
 * props.conf extractions, aliases, calculated fields and lookups, under `limits`.
 */
export function searchTimeFields(event: unknown, sourcetype: string, root = APP_ROOT, limits: SearchTimeLimits = SPLUNK_DEFAULT_LIMITS): Map<string, string[]> {
  const { props, transforms, evals, lookups } = app(root);
  const settings = props.get(sourcetype);
  if (!settings) throw new Error(`props.conf has no [${sourcetype}] stanza`);
  if (settings.get("KV_MODE") !== "json") throw new Error(`props.conf [${sourcetype}]: only KV_MODE = json is supported`);
  const raw = typeof event === "string" ? event : JSON.stringify(event);
  const fields: FieldMap = new Map([["_raw", [raw]]]);
  applyExtractions(settings, transforms, fields);
  const kvChars = Math.min(charsWithinBytes(raw, limits.extractionCutoffBytes), limits.kvMaxChars);
  for (const [name, values] of flattenJsonWithin(raw, kvChars, limits.kvLimit)) {
    if (fields.has(name)) throw new Error(`props.conf [${sourcetype}]: ${name} comes from both an extraction and the JSON; give the extraction its own name`);
    fields.set(name, values);
  }
  applyAliases(settings, fields);
  const saved = spathLimit.bytes;
  spathLimit.bytes = limits.extractionCutoffBytes;
  try {
    applyEvals(settings, fields, evals);
  } finally {
    spathLimit.bytes = saved;
  }
  applyLookups(settings, fields, lookups);
  fields.delete("_raw");
  return fields;
}

/** The eventtypes (eventtypes.conf) whose search matches the event. */
export function eventtypesFor(fields: ReadonlyMap<string, readonly string[]>, sourcetype: string, root = APP_ROOT): string[] {
  const withSourcetype = new Map(fields);
  withSourcetype.set("sourcetype", [sourcetype]);
  return [...app(root).eventtypes].filter(([, matches]) => matches(withSourcetype)).map(([name]) => name);
}

/** The tags (tags.conf) the given eventtypes carry. */
export function tagsFor(eventtypes: readonly string[], root = APP_ROOT): string[] {
  return [...new Set(eventtypes.flatMap((e) => app(root).tags.get(e) ?? []))].sort();
}

/** Eval function names our props.conf EVALs call. */
export function evalFunctionsUsed(root = APP_ROOT): string[] {
  return [...new Set([...app(root).evals.values()].flatMap((e) => e.functions))].sort();
}
