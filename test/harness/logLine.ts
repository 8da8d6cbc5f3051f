// Reads the lines a modular input writes to stderr the way splunkd files them in splunkd.log
// (docs/reference/splunk-platform.md 1.7): a leading level word (DEBUG INFO WARN ERROR FATAL) sets the
// level; a line without one is logged as ERROR. Our lines end with `key=value` fields
// (src/splunk/logger.ts), read here from the right so a message may hold anything.

export type SplunkdLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";

export interface LogLine {
  level: SplunkdLevel;
  message: string;
  fields: Record<string, string>;
  raw: string;
}

const LEVELS: Record<string, SplunkdLevel> = { DEBUG: "DEBUG", INFO: "INFO", WARN: "WARN", WARNING: "WARN", ERROR: "ERROR", FATAL: "FATAL" };
const TRAILING_FIELD = /\s([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)$/;

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
}

export function parseLogLine(raw: string): LogLine {
  const space = raw.indexOf(" ");
  const first = space < 0 ? raw : raw.slice(0, space);
  const level = LEVELS[first];
  let rest = level ? (space < 0 ? "" : raw.slice(space + 1)) : raw;
  const fields: Record<string, string> = {};
  const found: [string, string][] = [];
  for (let m = TRAILING_FIELD.exec(rest); m; m = TRAILING_FIELD.exec(rest)) {
    found.push([m[1], unquote(m[2])]);
    rest = rest.slice(0, m.index);
  }
  for (const [key, value] of found.reverse()) fields[key] = value;
  return { level: level ?? "ERROR", message: rest.trim(), fields, raw };
}
