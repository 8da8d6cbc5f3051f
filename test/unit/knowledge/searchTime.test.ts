// The search-time evaluator's own rules, on a small app written for each case: Splunk's order
// (aliases before evals before lookups), parallel EVALs, AS/ASNEW, lookup matching and clearing,
// and the eventtype search subset.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { eventtypesFor, NO_LIMITS, pcreToJs, searchTimeFields, tagsFor } from "../../lib/searchTime";
import { compileSearch } from "../../lib/spl/searchExpr";

function tinyApp(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "defender-o365-kos-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

const ST = "test:st";

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
/** A small app of its own for one case, removed after the run. */
function app(files: Record<string, string>): string {
  const root = tinyApp(files);
  roots.push(root);
  return root;
}

describe("knowledge: search-time evaluator", () => {

  it("extracts JSON with {} array names, then aliases, then parallel EVALs, then lookups", () => {
    const root = app({
      "default/props.conf": `[${ST}]\nKV_MODE = json\nFIELDALIAS-a = code AS c\nEVAL-c = "from eval"\nEVAL-d = c\nEVAL-n = mvcount('list{}.v')\nLOOKUP-l = names code AS c OUTPUT name\n`,
      "default/transforms.conf": "[names]\nfilename = names.csv\n",
      "lookups/names.csv": "code,name\n7,seven\n",
    });
    const f = searchTimeFields({ code: 7, list: [{ v: "a" }, { v: "b" }] }, ST, root);
    assert.deepEqual(f.get("list{}.v"), ["a", "b"]);
    assert.deepEqual(f.get("d"), ["7"], "an EVAL sees the alias, not another EVAL's result");
    assert.deepEqual(f.get("c"), ["from eval"]);
    assert.deepEqual(f.get("n"), ["2"]);
    assert.equal(f.get("name"), undefined, "the lookup reads c after the EVAL changed it: no row matches");
  });

  it("FIELDALIAS AS replaces or removes the alias, ASNEW keeps an existing one", () => {
    const root = app({ "default/props.conf": `[${ST}]\nKV_MODE = json\nFIELDALIAS-x = a AS b missing AS c a ASNEW d\n` });
    const f = searchTimeFields({ a: "1", b: "old", c: "old", d: "kept" }, ST, root);
    assert.deepEqual(f.get("b"), ["1"]);
    assert.equal(f.get("c"), undefined);
    assert.deepEqual(f.get("d"), ["kept"]);
  });

  it("lookups: case-insensitive when asked, multivalue inputs value by value, wildcards in file order, OUTPUT clears on no match", () => {
    const root = app({
      "default/props.conf": `[${ST}]\nKV_MODE = json\nLOOKUP-a = verdicts v AS 'x{}' OUTPUT name\nLOOKUP-b = actions act loc OUTPUT action\nLOOKUP-c = verdicts v AS y OUTPUT name AS yname\n`.replace("'x{}'", "x{}"),
      "default/transforms.conf":
        "[verdicts]\nfilename = verdicts.csv\ncase_sensitive_match = false\n\n[actions]\nfilename = actions.csv\nmatch_type = WILDCARD(loc)\nmax_matches = 1\n",
      "lookups/verdicts.csv": "v,name\n1,Bad\nbad,Bad\n0,Good\n",
      "lookups/actions.csv": "act,loc,action\nBlocked,Quar*,quarantined\nBlocked,*,blocked\n",
    });
    const f = searchTimeFields({ x: [1, "BAD", 0], act: "Blocked", loc: "Quarantine", y: "unknown", yname: "before" }, ST, root);
    assert.deepEqual(f.get("name"), ["Bad", "Bad", "Good"]);
    assert.deepEqual(f.get("action"), ["quarantined"], "first matching row only (max_matches = 1)");
    assert.equal(f.get("yname"), undefined, "an event with the match field but no row loses the OUTPUT field");
    const g = searchTimeFields({ act: "blocked", loc: "Inbox" }, ST, root);
    assert.equal(g.get("action"), undefined, "case_sensitive_match defaults to true");
  });

  it("refuses what it cannot evaluate faithfully", () => {
    const report = app({
      "default/props.conf": `[${ST}]\nKV_MODE = json\nREPORT-x = t\n`,
      "default/transforms.conf": "[t]\nREGEX = (?<v>a)\nFORMAT = v::$1\n",
    });
    assert.throws(() => searchTimeFields({}, ST, report), /outside the supported subset/);
    const twice = app({ "default/props.conf": `[${ST}]\nKV_MODE = json\nEXTRACT-a = "a":"(?<a>[^"]*)"\n` });
    assert.throws(() => searchTimeFields({ a: "x" }, ST, twice), /both an extraction and the JSON/);
    const kv = app({ "default/props.conf": `[${ST}]\nKV_MODE = auto\n` });
    assert.throws(() => searchTimeFields({}, ST, kv), /KV_MODE/);
    const fn = app({ "default/props.conf": `[${ST}]\nKV_MODE = json\nEVAL-x = md5(a)\n` });
    assert.throws(() => searchTimeFields({}, ST, fn), /outside the supported subset/);
  });

  it("eventtypes match their search on the fields plus sourcetype; tags come from tags.conf", () => {
    const root = app({
      "default/props.conf": `[${ST}]\nKV_MODE = json\n`,
      "default/eventtypes.conf": `[hit]\nsearch = sourcetype="${ST}" kind=mail*\n\n[miss]\nsearch = sourcetype=other\n`,
      "default/tags.conf": "[eventtype=hit]\nemail = enabled\nold = disabled\n",
    });
    const f = searchTimeFields({ kind: "MAILBOX" }, ST, root);
    const et = eventtypesFor(f, ST, root);
    assert.deepEqual(et, ["hit"]);
    assert.deepEqual(tagsFor(et, root), ["email"]);
  });
});

describe("knowledge: search subset", () => {
  const fields = new Map<string, string[]>([
    ["sourcetype", ["o365:defender:email"]],
    ["Name", ["A potentially malicious URL click was detected"]],
    ["v", ["1", "Bad"]],
  ]);
  const matches = (s: string) => compileSearch(s)(fields);

  it("field=value with quotes and wildcards, case-insensitive values", () => {
    assert.equal(matches('sourcetype="o365:defender:email"'), true);
    assert.equal(matches('Name="*a potentially malicious URL*"'), true);
    assert.equal(matches("sourcetype=O365:DEFENDER:*"), true);
    assert.equal(matches("name=*"), false, "field names are case-sensitive");
  });

  it("AND by juxtaposition, OR, NOT, parentheses, IN, != on multivalue fields", () => {
    assert.equal(matches("v=bad sourcetype=o365*"), true);
    assert.equal(matches("v=2 OR v=1"), true);
    assert.equal(matches("NOT v=1"), false);
    assert.equal(matches("(v=2 OR v=3) OR NOT missing=*"), true);
    assert.equal(matches('v IN (2, "Bad")'), true);
    assert.equal(matches("v!=1"), false, "no value may equal it");
    assert.equal(matches("missing!=1"), false, "!= needs the field");
  });

  it("throws on syntax outside the subset", () => {
    assert.throws(() => compileSearch("`defender_o365_index` v=1"), /macros/);
    assert.throws(() => compileSearch("freetext"), /supported/);
  });
});

describe("knowledge: search-time limits (limits.conf defaults)", () => {

  it("auto-KV reads only the first extraction_cutoff bytes, maxchars characters and limit fields; EXTRACT and REPORT read all", () => {
    const root = app({
      "default/props.conf": [
        `[${ST}]`,
        "KV_MODE = json",
        'EXTRACT-late = "late"\\s*:\\s*"(?<late_x>[^"]*)"',
        "REPORT-many = many",
        'EVAL-short = spath(\'short_json\', "k")',
        "EVAL-long = spath(\'long_json\', \"k\")",
      ].join("\n"),
      "default/transforms.conf": '[many]\nREGEX = "m"\\s*:\\s*"(?<m_x>[^"]*)"\nMV_ADD = true\n',
    });
    const pad = "é".repeat(2600); // 5,200 bytes, 2,600 characters
    const event = JSON.stringify({ early: "1", short_json: '{"k":"v"}', long_json: JSON.stringify({ k: "v", pad }), pad, late: "2", list: [{ m: "a" }, { m: "b" }] });
    const f = searchTimeFields(event, ST, root);
    assert.deepEqual(f.get("early"), ["1"]);
    assert.equal(f.get("late"), undefined, "past 5,000 bytes: auto-KV does not see it");
    assert.deepEqual(f.get("late_x"), ["2"], "EXTRACT reads the whole event");
    assert.deepEqual(f.get("m_x"), ["a", "b"], "REPORT with MV_ADD keeps every match");
    assert.deepEqual(f.get("short"), ["v"]);
    assert.equal(f.get("long"), undefined, "spath() on an input past the cutoff gives nothing");
    const all = searchTimeFields(event, ST, root, NO_LIMITS);
    assert.deepEqual([all.get("late"), all.get("long")], [["2"], ["v"]]);
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i])));
    assert.equal([...searchTimeFields(wide, ST, root).keys()].filter((k) => /^k\d+$/.test(k)).length, 100, "[kv] limit");
  });

  it("reads PCRE's possessive quantifiers as greedy ones, leaving escapes and classes alone", () => {
    assert.equal(pcreToJs('"(?<v>[^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+)"'), '"(?<v>[^"\\\\]*(?:\\\\.[^"\\\\]*)*)"');
    assert.equal(pcreToJs("a++[*+]\\*+x{2}+"), "a+[*+]\\*+x{2}");
  });
});
