// Reads Splunk .conf files the way splunkd does: `[stanza]` headers, `key = value` lines,
// `#` comment lines, and a trailing backslash continuing a value on the next line.
import * as fs from "node:fs";

export interface ConfSetting {
  key: string;
  value: string;
  line: number;
}

export interface ConfStanza {
  name: string;
  line: number;
  settings: ConfSetting[];
}

export interface ConfFile {
  path: string;
  /** Settings before the first stanza header belong to the `default` stanza (name ""). */
  stanzas: ConfStanza[];
}

export function parseConf(text: string, path = "<text>"): ConfFile {
  const stanzas: ConfStanza[] = [{ name: "", line: 0, settings: [] }];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const lineNo = i + 1;
    if (/^\s*#/.test(line) || /^\s*$/.test(line)) continue;
    const header = /^\s*\[(.*)\]\s*$/.exec(line);
    if (header) {
      stanzas.push({ name: header[1], line: lineNo, settings: [] });
      continue;
    }
    while (line.endsWith("\\") && i + 1 < lines.length) {
      line = line.slice(0, -1) + "\n" + lines[++i];
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`${path}:${lineNo}: not a setting, stanza or comment: ${line}`);
    stanzas[stanzas.length - 1].settings.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: lineNo });
  }
  return { path, stanzas: stanzas.filter((s) => s.name !== "" || s.settings.length > 0) };
}

export function readConf(path: string): ConfFile {
  return parseConf(fs.readFileSync(path, "utf8"), path);
}

/** Stanza name -> (key -> value), last one wins as in splunkd's merge. */
export function confToMap(conf: ConfFile): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const stanza of conf.stanzas) {
    const settings = out.get(stanza.name) ?? new Map<string, string>();
    for (const s of stanza.settings) settings.set(s.key, s.value);
    out.set(stanza.name, settings);
  }
  return out;
}
