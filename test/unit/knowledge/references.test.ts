// Every macro, lookup and transform the app refers to exists, every lookup file is used, and every
// knowledge object carries the app's prefix (docs/fields.md).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { confToMap, readConf } from "../../lib/conf";
import { APP_ROOT, parseCsv } from "../../lib/searchTime";

const conf = (name: string) => {
  const file = path.join(APP_ROOT, "default", name);
  return fs.existsSync(file) ? confToMap(readConf(file)) : new Map<string, Map<string, string>>();
};

/** Text of every dashboard under default/data/ui/views (searches live in it). */
function viewTexts(): string[] {
  const dir = path.join(APP_ROOT, "default", "data", "ui", "views");
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), "utf8")) : [];
}

/** `name` or `name(a, b)` macro calls -> "name" or "name(2)". */
function macroCalls(search: string): string[] {
  return [...search.matchAll(/`([A-Za-z0-9_]+)(?:\(([^`]*)\))?`/g)].map((m) => (m[2] === undefined ? m[1] : `${m[1]}(${m[2].split(",").length})`));
}

describe("knowledge: references", () => {
  const props = conf("props.conf");
  const transforms = conf("transforms.conf");
  const macros = conf("macros.conf");
  const lookupDir = path.join(APP_ROOT, "lookups");

  it("every LOOKUP names a file lookup whose file and columns exist", () => {
    for (const [sourcetype, settings] of props) {
      for (const [key, value] of settings) {
        if (!key.startsWith("LOOKUP-")) continue;
        const [name, ...rest] = value.split(/\s+/);
        const filename = transforms.get(name)?.get("filename");
        assert.ok(filename, `[${sourcetype}] ${key}: no file lookup [${name}]`);
        const file = path.join(lookupDir, filename);
        assert.ok(fs.existsSync(file), `${file} is missing`);
        const header = parseCsv(fs.readFileSync(file, "utf8"))[0];
        // Lookup-side names: the word before AS, or a word not next to AS.
        const columns = rest.filter((w, i) => !/^(AS|OUTPUT|OUTPUTNEW)$/i.test(w) && rest[i - 1]?.toUpperCase() !== "AS");
        for (const c of columns) assert.ok(header.includes(c), `[${sourcetype}] ${key}: ${c} is not a column of ${filename}`);
      }
    }
  });

  it("every transform and every lookup file is used", () => {
    // LOOKUP names one transform (then its fields); REPORT and TRANSFORMS list transforms.
    const named = ([k, v]: [string, string]): string[] => (k.startsWith("LOOKUP-") ? v.split(/\s+/).slice(0, 1) : v.split(/\s*,\s*/));
    const used = new Set([...props.values()].flatMap((s) => [...s].filter(([k]) => /^(LOOKUP|REPORT|TRANSFORMS)-/.test(k)).flatMap(named)));
    for (const name of transforms.keys()) assert.ok(used.has(name), `transforms.conf [${name}] is never used`);
    const files = new Set([...transforms.values()].map((s) => s.get("filename")));
    for (const f of fs.readdirSync(lookupDir)) assert.ok(files.has(f), `lookups/${f} has no transforms.conf stanza`);
  });

  it("every lookup file is a rectangular CSV", () => {
    for (const f of fs.readdirSync(lookupDir)) {
      const [header, ...rows] = parseCsv(fs.readFileSync(path.join(lookupDir, f), "utf8"));
      assert.ok(rows.length > 0, f);
      for (const row of rows) assert.equal(row.length, header.length, `${f}: ${row.join(",")}`);
    }
  });

  it("every macro called in macros, eventtypes, saved searches and dashboards is defined", () => {
    const defined = new Set([...macros.keys()].map((k) => k.replace(/\((\d+)\)$/, "($1)")));
    const searches = [
      ...[...macros.values()].map((s) => s.get("definition") ?? ""),
      ...[...conf("eventtypes.conf").values()].map((s) => s.get("search") ?? ""),
      ...[...conf("savedsearches.conf").values()].map((s) => s.get("search") ?? ""),
      ...viewTexts(),
    ];
    const missing = new Set(searches.flatMap(macroCalls).filter((m) => !defined.has(m)));
    assert.deepEqual([...missing], []);
  });

  it("every tagged eventtype exists", () => {
    const eventtypes = conf("eventtypes.conf");
    for (const stanza of conf("tags.conf").keys()) assert.ok(eventtypes.has(stanza.replace(/^eventtype=/, "")), stanza);
  });

  it("names every macro, eventtype and lookup with the defender_o365_ prefix", () => {
    const names = [...macros.keys(), ...conf("eventtypes.conf").keys(), ...transforms.keys(), ...fs.readdirSync(lookupDir)];
    for (const n of names) assert.match(n, /^defender_o365_/);
    assert.equal(macros.get("defender_o365_index")?.get("definition"), "index=*");
  });
});
