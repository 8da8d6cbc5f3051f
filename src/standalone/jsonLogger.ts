// The standalone collector's log: one JSON object per line on stderr, so a container platform or
// Splunk (sourcetype _json) parses every field. The same Logger, levels and cause codes as the
// modular input's key=value lines (src/splunk/logger.ts); `message` holds what they put first.
import { createLogger, stderrSink, type Fields, type Level, type LineFormat, type LineSink, type Logger } from "../splunk/logger";

/** One log line: time, level, message, then the fields (undefined/null left out). Pure. */
export function formatJsonLine(level: Level, message: string, fields: Fields, now: Date = new Date()): string {
  const line: Record<string, string | number | boolean> = { time: now.toISOString(), level, message };
  for (const [key, value] of Object.entries(fields)) {
    // The line's own keys come first; a field never overwrites them.
    if (value !== undefined && value !== null && !(key in line)) line[key] = value;
  }
  return JSON.stringify(line);
}

export function createJsonLogger(sink: LineSink = stderrSink, minLevel: Level = "INFO", now: () => Date = () => new Date()): Logger {
  const format: LineFormat = (level, message, fields) => formatJsonLine(level, message, fields, now());
  return createLogger(sink, minLevel, {}, format);
}
