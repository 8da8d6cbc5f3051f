// Logging to stderr, which splunkd copies into splunkd.log (component ExecProcessor).
// splunkd reads a leading level word; a line without one is logged as ERROR, so every
// line starts with its level. One message per line: newlines in values are escaped.

import type { Cause } from "../errors/causes";

export type Level = "DEBUG" | "INFO" | "WARN" | "ERROR";

const ORDER: Record<Level, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

/** Line fields; `cause` is one of the listed codes that searches and alerts read (src/errors/causes.ts). */
export type Fields = { cause?: Cause } & Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger whose lines all carry these fields too (e.g. input=<name>). */
  child(fields: Fields): Logger;
}

/** Renders one value for a key=value pair: quoted when it has spaces, quotes or `=`. */
export function formatValue(value: string | number | boolean): string {
  const text = String(value).replace(/[\r\n]+/g, " ");
  return /[\s"=]/.test(text) || text === "" ? `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : text;
}

/** `LEVEL message key=value ...` with undefined/null fields left out. */
export function formatLine(level: Level, message: string, fields: Fields = {}): string {
  const parts = [level, message.replace(/[\r\n]+/g, " ")];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(" ");
}

export type LineSink = (line: string) => void;

/** stderr sink: synchronous so that lines written just before exit are not lost. */
export const stderrSink: LineSink = (line) => {
  process.stderr.write(line + "\n");
};

/** Turns one log call into its line; formatLine for splunkd, JSON for the standalone collector. */
export type LineFormat = (level: Level, message: string, fields: Fields) => string;

export function createLogger(sink: LineSink = stderrSink, minLevel: Level = "INFO", base: Fields = {}, format: LineFormat = formatLine): Logger {
  const emit = (level: Level, message: string, fields?: Fields): void => {
    if (ORDER[level] < ORDER[minLevel]) return;
    sink(format(level, message, { ...base, ...fields }));
  };
  return {
    debug: (m, f) => emit("DEBUG", m, f),
    info: (m, f) => emit("INFO", m, f),
    warn: (m, f) => emit("WARN", m, f),
    error: (m, f) => emit("ERROR", m, f),
    child: (fields) => createLogger(sink, minLevel, { ...base, ...fields }, format),
  };
}
