// A static check for the SPL the app ships (dashboards, saved searches, macros, eventtypes).
// Splunk has no offline SPL parser, so this follows the rules searchbnf.conf and the Search
// Reference state: a search is a pipeline of commands split on `|` outside quotes, brackets and
// parentheses; the first segment is an implicit `search`; `[...]` is a subsearch; macros are
// `name` or `name(arg,...)` in backticks with `$arg$` substitution. On top of syntax it tracks
// which fields exist at each step (the events' fields, then what eval/rex/spath/lookup/stats
// create or keep), so a typo in a field name fails a test instead of returning an empty panel.
import vocabularyJson from "../data/spl-commands.json";

export interface SplVocabulary {
  commands: Record<string, string>;
  evalFunctions: string[];
  statsFunctions: string[];
}

export interface MacroDef {
  definition: string;
  args: string[];
}

export interface SplContext {
  vocabulary: SplVocabulary;
  /** keyed `name` or `name(n)` as in macros.conf */
  macros: Map<string, MacroDef>;
  /** lookup (transforms.conf stanza) -> its columns */
  lookups: Map<string, string[]>;
  /** eventtype -> the sourcetypes its search names */
  eventtypes: Map<string, string[]>;
  /** sourcetype -> fields its events carry at search time */
  fieldsBySourcetype: Map<string, Set<string>>;
  /** fields every event has (_time, host, sourcetype, eventtype, tag, ...) */
  defaultFields: Set<string>;
}

export const vocabulary: SplVocabulary = vocabularyJson;

/** Fields Splunk gives every event, whatever its sourcetype. */
export const DEFAULT_FIELDS = [
  "_time", "_raw", "_indextime", "_cd", "_serial", "_bkt", "host", "source", "sourcetype", "index",
  "splunk_server", "linecount", "punct", "timestartpos", "timeendpos", "eventtype", "tag",
  "date_hour", "date_mday", "date_minute", "date_month", "date_second", "date_wday", "date_year", "date_zone",
];

/** Search-time fields Splunk's own props.conf gives `sourcetype=splunkd` (splunkd.log). */
export const SPLUNKD_FIELDS = ["log_level", "component", "event_message"];

/** Base-search modifiers that look like fields but are not. */
const SEARCH_MODIFIERS = new Set([
  "index", "sourcetype", "source", "host", "eventtype", "tag", "earliest", "latest", "_index_earliest",
  "_index_latest", "starttime", "endtime", "savedsearch", "splunk_server", "splunk_server_group",
]);

const KEYWORDS = new Set(["AND", "OR", "NOT", "XOR", "LIKE", "IN"]);

// ---------------------------------------------------------------- lexical helpers

/** Walks text, calling `visit` for each character outside double-quoted strings. */
function scanOutsideQuotes(text: string, visit: (ch: string, i: number) => void): boolean {
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote) {
      if (ch === "\\") i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else visit(ch, i);
  }
  return !inQuote;
}

export function checkBalance(spl: string): string[] {
  const errors: string[] = [];
  const stack: { ch: string; at: number }[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let backticks = 0;
  const closedQuotes = scanOutsideQuotes(spl, (ch, i) => {
    if (ch === "`") backticks++;
    else if ("([{".includes(ch)) stack.push({ ch, at: i });
    else if (ch in pairs) {
      const open = stack.pop();
      if (!open || open.ch !== pairs[ch]) errors.push(`unbalanced '${ch}' at ${i}`);
    }
  });
  if (!closedQuotes) errors.push("unterminated double quote");
  for (const open of stack) errors.push(`unclosed '${open.ch}' at ${open.at}`);
  if (backticks % 2) errors.push("unpaired backtick (macro call)");
  return errors;
}

/** Splits on `sep` at nesting depth 0, outside quotes. */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  scanOutsideQuotes(text, (ch, i) => {
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  });
  parts.push(text.slice(start));
  return parts;
}

/** Whitespace-separated tokens; quoted strings and bracketed groups stay whole. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote) {
      current += ch;
      if (ch === "\\" && i + 1 < text.length) current += text[++i];
      else if (ch === '"') inQuote = false;
      continue;
    }
    if (ch === '"') inQuote = true;
    if ("([".includes(ch)) depth++;
    if (")]".includes(ch)) depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (current) out.push(current);
      current = "";
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

function unquote(s: string): string {
  return /^".*"$/s.test(s) ? s.slice(1, -1).replace(/\\(.)/g, "$1") : s;
}

/** The `[...]` subsearches at the top level of a segment. */
function subsearchesOf(text: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let start = 0;
  scanOutsideQuotes(text, (ch, i) => {
    if (ch === "[" && depth++ === 0) start = i + 1;
    else if (ch === "]" && --depth === 0) found.push(text.slice(start, i));
  });
  return found;
}

// ---------------------------------------------------------------- macros

export function expandMacros(spl: string, macros: Map<string, MacroDef>, errors: string[], depth = 0): string {
  if (depth > 10) {
    errors.push("macro expansion deeper than 10 levels (recursive macro?)");
    return spl;
  }
  let expanded = false;
  const out = spl.replace(/`([^`]*)`/g, (_all, call: string) => {
    const m = /^\s*([\w.-]+)\s*(?:\((.*)\))?\s*$/s.exec(call);
    if (!m) {
      errors.push(`malformed macro call \`${call}\``);
      return "";
    }
    const args = m[2] === undefined ? [] : splitTopLevel(m[2], ",").map((a) => unquote(a.trim()));
    const key = args.length ? `${m[1]}(${args.length})` : m[1];
    const macro = macros.get(key);
    if (!macro) {
      errors.push(`macro \`${key}\` is not defined`);
      return "";
    }
    expanded = true;
    return macro.args.reduce((text, name, i) => text.split(`$${name}$`).join(args[i]), macro.definition);
  });
  return expanded ? expandMacros(out, macros, errors, depth + 1) : out;
}

// ---------------------------------------------------------------- field tracking

/** Fields known at a point of the pipeline; `null` once a command makes them unknowable (chart by a value). */
type Fields = Set<string> | null;

interface Step {
  errors: string[];
  fields: Fields;
  ctx: SplContext;
  command: string;
}

function isWildcard(name: string): boolean {
  return name.includes("*");
}

function use(step: Step, name: string): void {
  if (!step.fields || isWildcard(name) || name === "") return;
  if (!step.fields.has(name)) step.errors.push(`${step.command}: field '${name}' does not exist here`);
}

function add(step: Step, ...names: string[]): void {
  if (step.fields) names.forEach((n) => step.fields?.add(n));
}

/** Comma and/or space separated field list. */
function fieldList(text: string): string[] {
  return text.split(/[\s,]+/).map((f) => unquote(f.trim())).filter(Boolean);
}

/** Identifiers an eval/where expression reads; also checks function names. */
function evalExpression(step: Step, expr: string): void {
  const re = /"(?:\\.|[^"\\])*"|'((?:\\.|[^'\\])*)'|([A-Za-z_][\w]*)(\s*\()?|\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(expr))) {
    if (m[1] !== undefined) use(step, m[1]);
    else if (m[2] !== undefined) {
      const word = m[2];
      if (m[3]) {
        if (!step.ctx.vocabulary.evalFunctions.includes(word.toLowerCase())) {
          step.errors.push(`${step.command}: '${word}' is not an eval function`);
        }
        if (word.toLowerCase() === "searchmatch") skipStringArgument(re, expr);
      } else if (!KEYWORDS.has(word.toUpperCase()) && !/^(true|false|null)$/i.test(word)) use(step, word);
    }
  }
}

/** searchmatch("...") holds a search, not eval; its fields are checked by search terms. */
function skipStringArgument(re: RegExp, expr: string): void {
  const rest = /^\s*"((?:\\.|[^"\\])*)"/.exec(expr.slice(re.lastIndex));
  if (rest) re.lastIndex += rest[0].length;
}

/** `field OP value` and `field IN (...)` terms of a search (base search, `search`, eventtypes). */
function searchTerms(step: Step, text: string): void {
  for (const token of tokens(text)) {
    if (/^\(.*\)$/s.test(token)) {
      searchTerms(step, token.slice(1, -1));
      continue;
    }
    if (/^\[.*\]$/s.test(token)) continue; // subsearch, linted separately
    const term = /^(?:NOT\s*)?("?)([A-Za-z_][\w.{}:@-]*)\1\s*(!=|<=|>=|=|<|>)/.exec(token);
    const name = term?.[2];
    if (name && !SEARCH_MODIFIERS.has(name)) use(step, name);
  }
  const inTerms = /(?:^|\s)([A-Za-z_][\w.{}:@-]*)\s+IN\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = inTerms.exec(text))) if (!SEARCH_MODIFIERS.has(m[1])) use(step, m[1]);
}

/** Sourcetypes a base search selects, through `sourcetype=` and `eventtype=` terms. */
export function sourcetypesOf(base: string, ctx: SplContext, errors: string[]): string[] {
  const found = new Set<string>();
  for (const m of base.matchAll(/\bsourcetype\s*=\s*("?)([^\s"()]+)\1/g)) found.add(m[2]);
  for (const m of base.matchAll(/\beventtype\s*=\s*("?)([^\s"()]+)\1/g)) {
    const sts = ctx.eventtypes.get(m[2]);
    if (!sts) errors.push(`eventtype '${m[2]}' is not defined`);
    else sts.forEach((st) => found.add(st));
  }
  return [...found];
}

function baseFields(step: Step, base: string): void {
  const sts = sourcetypesOf(base, step.ctx, step.errors);
  if (sts.length === 0) {
    step.errors.push("search: cannot tell which sourcetype the search reads (name a sourcetype or eventtype)");
    step.fields = null;
    return;
  }
  const fields = new Set(step.ctx.defaultFields);
  for (const st of sts) {
    const known = st === "splunkd" ? new Set(SPLUNKD_FIELDS) : step.ctx.fieldsBySourcetype.get(st);
    if (!known) step.errors.push(`search: no field list for sourcetype '${st}'`);
    known?.forEach((f) => fields.add(f));
  }
  step.fields = fields;
}

function statsFunctionKnown(ctx: SplContext, name: string): boolean {
  const lower = name.toLowerCase();
  return ctx.vocabulary.statsFunctions.some((f) =>
    f.endsWith("<num>") ? new RegExp(`^${f.slice(0, -5)}\\d+(\\.\\d+)?$`).test(lower) : f === lower);
}

/**
 * Aggregations of stats/eventstats/streamstats/chart/timechart: `fn(arg) [as name]`, returns
 * the names they create and the by-clause text.
 */
function aggregations(step: Step, args: string): { created: string[]; by: string } {
  const byMatch = /\s(?:by|over)\s/i.exec(` ${args} `);
  const aggText = byMatch ? ` ${args} `.slice(0, byMatch.index) : args;
  const by = byMatch ? ` ${args} `.slice(byMatch.index) : "";
  const created: string[] = [];
  const toks = splitTopLevel(aggText, ",").flatMap(tokens);
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (/^\w+=/.test(tok)) continue; // option such as span=1h, limit=10
    const m = /^(\w+)(?:\((.*)\))?$/s.exec(tok);
    if (!m) {
      step.errors.push(`${step.command}: cannot read aggregation '${tok}'`);
      continue;
    }
    if (!statsFunctionKnown(step.ctx, m[1])) step.errors.push(`${step.command}: '${m[1]}' is not a stats function`);
    const arg = m[2]?.trim() ?? "";
    if (/^eval\s*\(/i.test(arg)) evalExpression(step, arg.replace(/^eval\s*\(/i, "").slice(0, -1));
    else if (arg) use(step, unquote(arg));
    let name = tok;
    if (toks[i + 1]?.toLowerCase() === "as" && toks[i + 2]) {
      name = unquote(toks[i + 2]);
      i += 2;
    }
    created.push(name);
  }
  return { created, by };
}

function byFields(by: string): string[] {
  return fieldList(by.replace(/^\s*(by|over)\s/i, "").replace(/\s(by|over)\s/gi, " "))
    .filter((f) => !/^\w+=/.test(f));
}

type Handler = (step: Step, args: string) => void;

const statsLike = (keepInput: boolean): Handler => (step, args) => {
  const { created, by } = aggregations(step, args);
  const groups = byFields(by);
  groups.forEach((f) => use(step, f));
  if (keepInput) add(step, ...created);
  else step.fields = new Set([...created, ...groups]);
};

/** A command's `key=value` options (wherever they stand) and its other arguments. */
function options(args: string): { opts: Map<string, string>; rest: string[] } {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  for (const tok of tokens(args)) {
    const m = /^(\w+)=(.*)$/s.exec(tok);
    if (m) opts.set(m[1].toLowerCase(), unquote(m[2]));
    else rest.push(tok);
  }
  return { opts, rest };
}

/** `a [AS b], c [AS d] ...` (commas optional) as [name, alias] pairs, alias = name when absent. */
export function fieldPairs(text: string): [string, string][] {
  const toks = text.split(/[\s,]+/).filter(Boolean);
  const pairs: [string, string][] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i + 1]?.toUpperCase() === "AS" && toks[i + 2]) {
      pairs.push([unquote(toks[i]), unquote(toks[i + 2])]);
      i += 2;
    } else pairs.push([unquote(toks[i]), unquote(toks[i])]);
  }
  return pairs;
}

/** Splits lookup arguments `<inputs> OUTPUT|OUTPUTNEW <outputs>`; no outputs = every other column. */
export function lookupSpec(text: string, columns: string[]): { inputs: [string, string][]; outputs: [string, string][] } {
  const split = /\s(OUTPUTNEW|OUTPUT)\s/i.exec(` ${text} `);
  const inputs = fieldPairs(split ? ` ${text} `.slice(0, split.index) : text);
  const outputs = split
    ? fieldPairs(` ${text} `.slice(split.index + split[0].length))
    : columns.filter((c) => !inputs.some(([col]) => col === c)).map((c): [string, string] => [c, c]);
  return { inputs, outputs };
}

/** `lookup name in [AS ev], ... OUTPUT|OUTPUTNEW out [AS name], ...` */
const lookupHandler: Handler = (step, args) => {
  const { rest } = options(args);
  const [name, ...spec] = rest;
  const columns = step.ctx.lookups.get(name);
  if (!columns) {
    step.errors.push(`lookup: '${name}' is not defined in transforms.conf`);
    return;
  }
  const { inputs, outputs } = lookupSpec(spec.join(" "), columns);
  for (const [col, field] of inputs) {
    if (!columns.includes(col)) step.errors.push(`lookup: '${name}' has no column '${col}'`);
    use(step, field);
  }
  for (const [col, field] of outputs) {
    if (!columns.includes(col)) step.errors.push(`lookup: '${name}' has no column '${col}'`);
    add(step, field);
  }
};

const HANDLERS: Record<string, Handler> = {
  search: (step, args) => searchTerms(step, args),
  where: (step, args) => evalExpression(step, args),
  eval: (step, args) => {
    for (const assignment of splitTopLevel(args, ",")) {
      const m = /^\s*("?)([^=\s"]+)\1\s*=(?!=)(.*)$/s.exec(assignment);
      if (!m) {
        step.errors.push(`eval: cannot read assignment '${assignment.trim()}'`);
        continue;
      }
      evalExpression(step, m[3]);
      add(step, m[2]);
    }
  },
  stats: statsLike(false),
  eventstats: statsLike(true),
  streamstats: statsLike(true),
  timechart: (step, args) => {
    const { created, by } = aggregations(step, args);
    byFields(by).forEach((f) => use(step, f));
    // split-by values become column names: only _time is knowable afterwards
    step.fields = by ? null : new Set(["_time", ...created]);
  },
  chart: (step, args) => {
    const { by } = aggregations(step, args);
    byFields(by).forEach((f) => use(step, f));
    step.fields = null;
  },
  top: (step, args) => {
    const { opts, rest } = options(args);
    const fields = byFields(rest.join(" "));
    fields.forEach((f) => use(step, f));
    step.fields = new Set([...fields, "count", ...(opts.get("showperc") === "f" ? [] : ["percent"])]);
  },
  table: (step, args) => {
    const fields = fieldList(args);
    fields.forEach((f) => use(step, f));
    if (fields.every((f) => !isWildcard(f))) step.fields = new Set(fields);
  },
  fields: (step, args) => {
    const remove = /^\s*-/.test(args);
    const fields = fieldList(args.replace(/^\s*[-+]/, ""));
    fields.forEach((f) => use(step, f));
    if (remove) fields.forEach((f) => step.fields?.delete(f));
    // `fields a b` keeps the internal _time and _raw too
    else if (step.fields && fields.every((f) => !isWildcard(f))) {
      const kept = ["_time", "_raw"].filter((f) => step.fields?.has(f));
      step.fields = new Set([...fields, ...kept]);
    }
  },
  rename: (step, args) => {
    for (const pair of splitTopLevel(args, ",").map((p) => p.trim()).filter(Boolean)) {
      const m = /^("?)(.+?)\1\s+as\s+("?)(.+?)\3$/is.exec(pair);
      if (!m) {
        step.errors.push(`rename: cannot read '${pair}'`);
        continue;
      }
      use(step, m[2]);
      step.fields?.delete(m[2]);
      add(step, m[4]);
    }
  },
  rex: (step, args) => {
    const { opts, rest } = options(args);
    use(step, opts.get("field") ?? "_raw");
    if (opts.get("mode") === "sed") return;
    const regex = rest.join(" ");
    for (const m of regex.matchAll(/\(\?P?<([A-Za-z_]\w*)>/g)) add(step, m[1]);
  },
  spath: (step, args) => {
    const { opts, rest } = options(args);
    use(step, opts.get("input") ?? "_raw");
    const path = opts.get("path") ?? rest[0];
    const output = opts.get("output") ?? path;
    if (output) add(step, output);
    else step.fields = null; // every path of the JSON becomes a field
  },
  lookup: lookupHandler,
  inputlookup: (step, args) => {
    const name = options(args).rest[0];
    const columns = step.ctx.lookups.get(name);
    if (!columns) step.errors.push(`inputlookup: '${name}' is not defined in transforms.conf`);
    step.fields = columns ? new Set(columns) : null;
  },
  mvexpand: (step, args) => options(args).rest.forEach((f) => use(step, f)),
  makemv: (step, args) => options(args).rest.forEach((f) => use(step, f)),
  nomv: (step, args) => fieldList(args).forEach((f) => use(step, f)),
  dedup: (step, args) => {
    const { rest } = options(args.replace(/\ssortby\s.*$/is, ""));
    rest.filter((f) => !/^\d+$/.test(f)).flatMap(fieldList).forEach((f) => use(step, f));
  },
  sort: (step, args) => {
    fieldList(args.replace(/[+-]/g, " ")).filter((f) => !/^\d+$/.test(f) && !/^limit=/.test(f))
      .map((f) => f.replace(/^(num|str|ip|auto)\((.*)\)$/, "$2")).forEach((f) => use(step, f));
  },
  head: () => undefined,
  tail: () => undefined,
  fillnull: (step, args) => {
    const { rest } = options(args);
    add(step, ...rest.flatMap(fieldList));
  },
  bin: (step, args) => {
    const [field, as, name] = options(args).rest;
    use(step, field);
    if (as?.toLowerCase() === "as" && name) add(step, name);
  },
  iplocation: (step, args) => {
    const { rest } = options(args);
    use(step, rest[0]);
    add(step, "City", "Country", "Region", "lat", "lon");
  },
  makeresults: (step) => {
    step.fields = new Set(["_time"]);
  },
  addinfo: (step) => add(step, "info_min_time", "info_max_time", "info_search_time", "info_sid"),
  fieldformat: (step, args) => {
    const m = /^\s*([^=\s]+)\s*=(.*)$/s.exec(args);
    if (!m) step.errors.push(`fieldformat: cannot read '${args.trim()}'`);
    else {
      use(step, m[1]);
      evalExpression(step, m[2]);
    }
  },
};
HANDLERS.bucket = HANDLERS.bin;

// ---------------------------------------------------------------- the pipeline

/** How a piece of SPL starts: a full search (default) or a fragment continuing a pipeline. */
export interface LintStart {
  /** The text continues a pipeline (a macro used after a pipe): its first word is a command. */
  fragment: boolean;
  /** Fields known at its start; null = unknown, so fields are not checked until a command sets them. */
  fields: Set<string> | null;
}

export interface SplAnalysis {
  errors: string[];
  /** fields of the results (null when a command made them unknowable, e.g. chart by a value) */
  fields: Set<string> | null;
}

/** Lints one SPL string; a full search starts from the fields of the sourcetypes it names. */
export function lintSpl(spl: string, ctx: SplContext, start?: LintStart): string[] {
  return analyseSpl(spl, ctx, start).errors;
}

export function analyseSpl(spl: string, ctx: SplContext, start?: LintStart): SplAnalysis {
  const errors = checkBalance(spl);
  if (errors.length) return { errors, fields: null };
  const expanded = expandMacros(spl, ctx.macros, errors);
  const segments = splitTopLevel(expanded, "|");
  let fields: Fields = start?.fields ? new Set(start.fields) : null;
  segments.forEach((segment, index) => {
    const text = segment.trim();
    for (const sub of subsearchesOf(text)) errors.push(...lintSpl(sub, ctx).map((e) => `subsearch: ${e}`));
    if (index === 0 && text === "") return; // the search starts with `| <generating command>`
    const implicit = index === 0 && !start?.fragment;
    const word = implicit ? "search" : (/^(\w+)/.exec(text)?.[1] ?? "").toLowerCase();
    const args = implicit ? text : text.slice(word.length);
    const usage = ctx.vocabulary.commands[word];
    if (!usage) {
      errors.push(`'${word || text}' is not an SPL command`);
      return;
    }
    if (usage !== "public") errors.push(`'${word}' is a ${usage} SPL command`);
    const step: Step = { errors, fields, ctx, command: word };
    if (implicit) baseFields(step, text);
    const handler = HANDLERS[word];
    if (!handler) errors.push(`${word}: the SPL lint cannot follow fields through this command`);
    else handler(step, args);
    fields = step.fields;
  });
  return { errors, fields };
}
