// Checks a shipped .conf file against the settings Splunk's .conf.spec files allow.
//
// The settings list is derived from Splunk 10.2.3's spec files by scripts/derive-spec.ts into
// test/data/conf-spec.json (committed, so tests never read ../shared). A spec reads as
// `[stanza]` headers followed by `setting = <type>` lines at column 0; `<name>` inside a stanza
// or setting name is a free part (e.g. `EVAL-<fieldname>`, `[<spec>]`). Settings placed before
// the first stanza or under `[default]` apply to every stanza of the file.
import * as fs from "node:fs";
import * as path from "node:path";
import { readConf } from "./conf";

export type ValueType =
  | { kind: "string" }
  | { kind: "boolean" }
  | { kind: "integer"; min?: number; max?: number }
  | { kind: "number" }
  /** One of the alternatives; each is a regex source (free `<parts>` became `.+`). */
  | { kind: "enum"; values: string[] };

export interface SpecStanza {
  /** Stanza name as the spec writes it, e.g. `<spec>` or `accepted_keys`; "" = global. */
  name: string;
  settings: Record<string, ValueType>;
}

export interface SpecFile {
  stanzas: SpecStanza[];
}

/** conf file name (e.g. `props.conf`) -> its spec. */
export type SpecSet = Record<string, SpecFile>;

const SPEC_JSON = path.join(__dirname, "..", "data", "conf-spec.json");
const BOOLEAN = /^(true|false|1|0|t|f|yes|no)$/i;

// A setting line: a key without spaces at column 0, then `=`. Descriptions start with `*`.
const SETTING_LINE = /^([A-Za-z0-9_<>.:$*-][^\s=]*)\s*=\s*(.*)$/;
const STANZA_LINE = /^\[(.+)\]\s*$/;

/** Turns a spec type text (`<boolean>`, `[none|auto|json]`, `<integer, 1 through 10>`...) into a ValueType. */
export function parseValueType(text: string): ValueType {
  const t = text.trim();
  if (t === "<boolean>") return { kind: "boolean" };
  const integers: Record<string, number | undefined> = {
    "<integer>": undefined,
    "<unsigned integer>": 0,
    "<nonnegative integer>": 0,
    "<non-negative integer>": 0,
    "<zero or positive integer>": 0,
    "<positive integer>": 1,
    "<non-zero positive integer>": 1,
  };
  if (t in integers) {
    const min = integers[t];
    return min === undefined ? { kind: "integer" } : { kind: "integer", min };
  }
  const range = /^<integer, (-?\d+) through (-?\d+)>$/.exec(t);
  if (range) return { kind: "integer", min: Number(range[1]), max: Number(range[2]) };
  if (t === "<decimal>" || t === "<number>" || t === "<num>") return { kind: "number" };
  return parseEnum(t) ?? { kind: "string" };
}

function parseEnum(t: string): ValueType | undefined {
  if (!t.includes("|")) return undefined;
  let inner = t;
  const wrapped = /^[[<{](.*)[\]>}]$/.exec(t);
  if (wrapped) inner = wrapped[1];
  const alternatives = inner.split("|").map((a) => a.trim());
  const values: string[] = [];
  for (const alt of alternatives) {
    // Nested brackets or a bare placeholder (`<filename...>`) mean "anything": not an enumeration.
    if (alt === "" || /[[\]{}]/.test(alt) || /^<[^>]*>$/.test(alt) || /\s/.test(alt.replace(/<[^>]*>/g, ""))) return undefined;
    if (/[<>]/.test(alt.replace(/<[^<>]+>/g, ""))) return undefined;
    values.push(alt.split(/<[^<>]+>/).map(escapeRegex).join(".+"));
  }
  return { kind: "enum", values };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A spec name with free `<parts>` as an anchored regex. */
export function namePattern(specName: string): RegExp {
  return new RegExp(`^${specName.split(/<[^<>]*>/).map(escapeRegex).join(".+")}$`);
}

/** Parses the text of one .conf.spec file. */
export function parseSpec(text: string): SpecFile {
  const stanzas: SpecStanza[] = [{ name: "", settings: {} }];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("#") || line.startsWith("*")) continue;
    const stanza = STANZA_LINE.exec(line);
    if (stanza) {
      stanzas.push({ name: stanza[1], settings: {} });
      continue;
    }
    const setting = SETTING_LINE.exec(line);
    if (setting) stanzas[stanzas.length - 1].settings[setting[1]] = parseValueType(setting[2]);
  }
  return { stanzas };
}

export function loadSpecSet(): SpecSet {
  return JSON.parse(fs.readFileSync(SPEC_JSON, "utf8")) as SpecSet;
}

function literalLength(name: string): number {
  return name.replace(/<[^<>]*>/g, "").length;
}

/**
 * The spec stanza a conf stanza falls under: exact name first, then the most literal pattern. A
 * bare `[<scheme>]` is the defaults stanza of the modular input `[<scheme>://<name>]` and takes
 * its settings.
 */
function specStanzaFor(spec: SpecFile, stanza: string): SpecStanza | undefined {
  const candidates = spec.stanzas.filter((s) => s.name !== "" && s.name !== "default" && namePattern(s.name).test(stanza));
  candidates.sort((a, b) => literalLength(b.name) - literalLength(a.name));
  return candidates[0] ?? spec.stanzas.find((s) => s.name.startsWith(`${stanza}://<`));
}

function settingType(stanzas: SpecStanza[], key: string): ValueType | undefined {
  for (const stanza of stanzas) {
    if (key in stanza.settings) return stanza.settings[key];
  }
  for (const stanza of stanzas) {
    const names = Object.keys(stanza.settings).filter((n) => n.includes("<") && namePattern(n).test(key));
    names.sort((a, b) => literalLength(b) - literalLength(a));
    if (names.length > 0) return stanza.settings[names[0]];
  }
  return undefined;
}

/** Why `value` does not fit `type`, or undefined when it does. */
export function valueProblem(type: ValueType, value: string): string | undefined {
  switch (type.kind) {
    case "string":
      return undefined;
    case "boolean":
      return BOOLEAN.test(value) ? undefined : "is not a boolean";
    case "number":
      return /^-?\d+(\.\d+)?$/.test(value) ? undefined : "is not a number";
    case "integer": {
      if (!/^-?\d+$/.test(value)) return "is not an integer";
      const n = Number(value);
      if (type.min !== undefined && n < type.min) return `is below ${type.min}`;
      if (type.max !== undefined && n > type.max) return `is above ${type.max}`;
      return undefined;
    }
    case "enum":
      return type.values.some((v) => new RegExp(`^(?:${v})$`).test(value)) ? undefined : `is not one of ${type.values.join("|")}`;
  }
}

/** The project's own spec for a conf file beside Splunk's (README/<file>.spec), e.g. our modular input's settings. */
function appSpec(confPath: string): SpecFile | undefined {
  const own = path.join(path.dirname(confPath), "..", "README", `${path.basename(confPath)}.spec`);
  return fs.existsSync(own) ? parseSpec(fs.readFileSync(own, "utf8")) : undefined;
}

/**
 * Problems in one shipped .conf file: unknown stanzas, settings the spec does not allow, values
 * of the wrong type. The spec is chosen by file name; the app's README/<name>.spec is merged in.
 */
export function checkConfFile(confPath: string, specs: SpecSet = loadSpecSet()): string[] {
  const file = path.basename(confPath);
  const splunkSpec = specs[file];
  if (!splunkSpec) return [`${file}: no .conf.spec for this file`];
  const own = appSpec(confPath);
  const spec: SpecFile = { stanzas: [...(own?.stanzas ?? []), ...splunkSpec.stanzas] };
  const global = spec.stanzas.filter((s) => s.name === "" || s.name === "default");
  const problems: string[] = [];
  for (const stanza of readConf(confPath).stanzas) {
    const where = `${file}:${stanza.line} [${stanza.name}]`;
    const matched = stanza.name === "" || stanza.name === "default" ? undefined : specStanzaFor(spec, stanza.name);
    if (stanza.name !== "" && stanza.name !== "default" && !matched) {
      problems.push(`${where}: stanza not allowed by the spec`);
      continue;
    }
    const scope = matched ? [matched, ...global] : global;
    for (const setting of stanza.settings) {
      const type = settingType(scope, setting.key);
      if (!type) {
        problems.push(`${file}:${setting.line} [${stanza.name}] ${setting.key}: setting not in the spec`);
        continue;
      }
      const problem = valueProblem(type, setting.value);
      if (problem) problems.push(`${file}:${setting.line} [${stanza.name}] ${setting.key} = ${setting.value}: ${problem}`);
    }
  }
  return problems;
}
