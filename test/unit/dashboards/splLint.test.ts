import { strict as assert } from "node:assert";
import { deriveVocabulary } from "../../../scripts/derive-searchbnf";
import { analyseSpl, checkBalance, DEFAULT_FIELDS, expandMacros, fieldPairs, lintSpl, lookupSpec, SplContext, vocabulary } from "../../lib/splLint";

/** A tiny app: one sourcetype, one eventtype, two macros, one lookup. */
function context(): SplContext {
  return {
    vocabulary,
    macros: new Map([
      ["idx", { definition: "index=main", args: [] }],
      ["pick(2)", { definition: "eval $out$=$in$", args: ["in", "out"] }],
      ["loop", { definition: "`loop`", args: [] }],
    ]),
    lookups: new Map([["verdicts", ["code", "name", "severity"]]]),
    eventtypes: new Map([["et_mail", ["st:mail"]]]),
    fieldsBySourcetype: new Map([["st:mail", new Set(["Verdict", "Recipients{}", "FileData.FileName", "Data", "code"])]]),
    defaultFields: new Set(DEFAULT_FIELDS),
  };
}

const lint = (spl: string) => lintSpl(spl, context());
const BASE = "`idx` eventtype=et_mail";

describe("SPL lint", () => {
  it("accepts a pipeline whose commands, macros, lookups and fields all exist", () => {
    const spl = `${BASE} Verdict=Phish | lookup verdicts code OUTPUT name AS verdict_name severity | \`pick(Verdict, v)\` ` +
      `| rex field=Data "x=(?<x>\\d+)" | spath input=Data path=a.b output=ab | rename "Recipients{}" as rcpt ` +
      `| eval n=mvcount(rcpt), label=if(n > 1, "many", 'FileData.FileName') | where n > 0 AND isnotnull(x) ` +
      `| stats count, dc(rcpt) as recipients, values(eval(if(v=="Phish", ab, null()))) as phish_ab by verdict_name severity ` +
      `| sort - count | table verdict_name severity count recipients phish_ab`;
    assert.deepEqual(lint(spl), []);
    assert.deepEqual([...(analyseSpl(spl, context()).fields ?? [])], ["verdict_name", "severity", "count", "recipients", "phish_ab"]);
  });

  it("reports unbalanced quotes, brackets and backticks", () => {
    assert.match(checkBalance('search "abc').join(), /unterminated double quote/);
    assert.match(checkBalance("stats count by (x").join(), /unclosed '\('/);
    assert.match(checkBalance("stats count by x)").join(), /unbalanced '\)'/);
    assert.match(checkBalance("`idx search").join(), /unpaired backtick/);
    assert.deepEqual(checkBalance('search x="(" y="[\\""'), [], "brackets and escaped quotes inside strings do not count");
  });

  it("reports a command that searchbnf.conf does not define, and non-public ones", () => {
    assert.match(lint(`${BASE} | statz count`).join(), /'statz' is not an SPL command/);
    const deprecated = Object.entries(vocabulary.commands).find(([, usage]) => usage === "deprecated")?.[0];
    assert.ok(deprecated, "searchbnf has deprecated commands");
    assert.match(lint(`${BASE} | ${deprecated} x`).join(), new RegExp(`'${deprecated}' is a deprecated SPL command`));
  });

  it("expands macros with arguments and reports undefined or recursive ones", () => {
    const errors: string[] = [];
    assert.equal(expandMacros("x | `pick(a, b)`", context().macros, errors), "x | eval b=a");
    assert.deepEqual(errors, []);
    assert.match(lint(`${BASE} | \`nope\``).join(), /macro `nope` is not defined/);
    assert.match(lint(`${BASE} | \`pick(a)\``).join(), /macro `pick\(1\)` is not defined/);
    assert.match(lint("`loop`").join(), /deeper than 10 levels/);
  });

  it("reports fields the events do not have", () => {
    assert.match(lint(`${BASE} Verdikt=Phish`).join(), /search: field 'Verdikt' does not exist/);
    assert.match(lint(`${BASE} | stats count by recipient`).join(), /stats: field 'recipient' does not exist/);
    assert.match(lint(`${BASE} | table Verdict Subject`).join(), /table: field 'Subject'/);
    assert.match(lint(`${BASE} NOT Subjekt IN ("a", "b")`).join(), /field 'Subjekt'/);
  });

  it("knows which fields survive a transforming command", () => {
    assert.match(lint(`${BASE} | stats count by Verdict | table Verdict Data`).join(), /table: field 'Data' does not exist/);
    assert.deepEqual(lint(`${BASE} | eventstats count as n by Verdict | table Verdict Data n`), []);
    assert.match(lint(`${BASE} | rename Verdict as v | table Verdict`).join(), /field 'Verdict' does not exist/);
    assert.match(lint(`${BASE} | top limit=5 Verdict | table Data`).join(), /field 'Data'/);
  });

  it("reads eval as Splunk does: dots concatenate, single quotes name a field", () => {
    assert.match(lint(`${BASE} | eval f=FileData.FileName`).join(), /eval: field 'FileData' does not exist/);
    assert.deepEqual(lint(`${BASE} | eval f='FileData.FileName' . "-x"`), []);
    assert.match(lint(`${BASE} | eval f=fooify(Verdict)`).join(), /'fooify' is not an eval function/);
    assert.match(lint(`${BASE} | stats bogus(Verdict)`).join(), /'bogus' is not a stats function/);
    assert.deepEqual(lint(`${BASE} | stats perc95(code) as p, p50(code) as m`), []);
  });

  it("reports unknown lookups, columns, sourcetypes and eventtypes", () => {
    assert.match(lint(`${BASE} | lookup nolookup code`).join(), /'nolookup' is not defined/);
    assert.match(lint(`${BASE} | lookup verdicts kode OUTPUT name`).join(), /has no column 'kode'/);
    assert.match(lint("`idx` eventtype=et_web").join(), /eventtype 'et_web' is not defined/);
    assert.match(lint("`idx` sourcetype=st:web").join(), /no field list for sourcetype 'st:web'/);
    assert.match(lint("index=main Verdict=x").join(), /cannot tell which sourcetype/);
  });

  it("follows fields through the other commands it knows", () => {
    const ok = [
      `${BASE} | dedup 1 Verdict sortby -_time | makemv delim="," Verdict | nomv Verdict | mvexpand Verdict | fieldformat Verdict=upper(Verdict)`,
      `${BASE} | bin _time span=1h as hour | iplocation code | table hour City Country | head 5 | tail 2`,
      `| inputlookup verdicts | fields name severity | fillnull value=0 extra | table name extra`,
      `| makeresults | addinfo | eval span=info_max_time - info_min_time | fields - span | table _time`,
      `${BASE} | top limit=3 Verdict by code showperc=f | table Verdict code count`,
      `${BASE} | chart count over Verdict by code`,
      `${BASE} | timechart span=1h count as n | table _time n`,
    ];
    for (const spl of ok) assert.deepEqual(lint(spl), [], spl);
    assert.match(lint("| makeresults | table Verdict").join(), /field 'Verdict'/);
    assert.match(lint("| inputlookup verdicts | table code nope").join(), /field 'nope'/);
    assert.match(lint(`${BASE} | top Verdict showperc=f | table percent`).join(), /field 'percent'/);
    assert.match(lint(`${BASE} | fields Verdict | table code`).join(), /field 'code'/);
  });

  it("lints subsearches too", () => {
    assert.match(lint(`${BASE} [search ${BASE} | statz] | stats count`).join(), /subsearch: 'statz' is not an SPL command/);
  });

  it("tracks fields after a macro that ends a pipeline, catching terms glued to its last command", () => {
    const ctx = context();
    ctx.macros.set("log", { definition: "index=_internal sourcetype=splunkd | eval level=log_level", args: [] });
    assert.deepEqual(lintSpl("`log` | search level=ERROR", ctx), []);
    assert.match(lintSpl("`log` ERROR", ctx).join(), /eval: field 'ERROR' does not exist/);
  });

  it("parses field pairs and lookup specs", () => {
    assert.deepEqual(fieldPairs("a AS b, c d as e"), [["a", "b"], ["c", "c"], ["d", "e"]]);
    assert.deepEqual(lookupSpec("code AS c OUTPUT name", ["code", "name", "severity"]), { inputs: [["code", "c"]], outputs: [["name", "name"]] });
    assert.deepEqual(lookupSpec("code", ["code", "name"]).outputs, [["name", "name"]]);
  });
});

describe("SPL vocabulary from searchbnf.conf", () => {
  const bnf = [
    "[stats-command]",
    "syntax = stats <stats-agg-term>*",
    "usage = public",
    "[bin-command]",
    "syntax = bin <field>",
    "alias = bucket, discretize",
    "[old-command]",
    "syntax = old",
    "usage = deprecated",
    "[stats-func]",
    "syntax = <stats-c>|<stats-perc>",
    "[stats-c]",
    "syntax = c|count",
    "[stats-perc]",
    "syntax = (perc|p)<num>",
    "[eval-function]",
    "syntax = abs|if|abs",
  ].join("\n");

  it("takes commands with aliases and usage, eval and stats functions", () => {
    const v = deriveVocabulary(bnf, "test");
    assert.deepEqual(v.commands, { bin: "public", bucket: "public", discretize: "public", old: "deprecated", stats: "public" });
    assert.deepEqual(v.evalFunctions, ["abs", "if"]);
    assert.deepEqual(v.statsFunctions, ["c", "count", "p<num>", "perc<num>"]);
  });

  it("is what test/data/spl-commands.json holds for Splunk 10.2.3", () => {
    assert.match(vocabulary.commands.stats, /^public$/);
    for (const cmd of ["search", "eval", "where", "rex", "spath", "lookup", "timechart", "tstats", "mvexpand", "bucket"]) {
      assert.ok(cmd in vocabulary.commands, cmd);
    }
    assert.ok(!("statz" in vocabulary.commands));
    assert.ok(vocabulary.evalFunctions.includes("mvzip") && vocabulary.statsFunctions.includes("perc<num>"));
  });
});
