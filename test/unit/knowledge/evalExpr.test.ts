// The test eval engine against the behaviour the SPL reference documents for each function.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileEval, EVAL_FUNCTIONS, toFieldValues, type EvalValue } from "../../lib/spl/evalExpr";
import { datasetsFor } from "../../lib/cimModels";
import { APP_ROOT, evalFunctionsUsed } from "../../lib/searchTime";
import { confToMap, readConf } from "../../lib/conf";

const REFERENCE = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "data", "spl-eval-functions.json"), "utf8")) as Record<string, string>;

/** Datasets of the data models our tags.conf maps events to. */
function ourDatasets() {
  const tags = confToMap(readConf(path.join(APP_ROOT, "default", "tags.conf")));
  return [...tags.values()].flatMap((t) => datasetsFor([...t.keys()]));
}

function run(expr: string, fields: Record<string, string | string[]> = {}): EvalValue {
  return compileEval(expr).run((name) => {
    const v = fields[name];
    return v === undefined ? undefined : Array.isArray(v) ? v : [v];
  });
}

describe("knowledge: eval subset", () => {
  it("implements only functions of the SPL reference, with the reference's syntax", () => {
    for (const [name, fn] of Object.entries(EVAL_FUNCTIONS)) {
      assert.equal(REFERENCE[name], fn.syntax, `${name}() is not in the SPL reference as ${fn.syntax}`);
    }
  });

  it("implements exactly the functions props.conf and the CIM validity checks call", () => {
    const validity = ourDatasets().flatMap((d) => d.fields.flatMap((f) => (f.validity ? compileEval(f.validity).functions : [])));
    const used = new Set([...evalFunctionsUsed(), ...validity]);
    assert.deepEqual(Object.keys(EVAL_FUNCTIONS).sort(), [...used].sort());
  });

  it("rejects functions outside the subset", () => {
    assert.throws(() => run('sha256("x")'), /outside the supported subset/);
    assert.throws(() => run("mvcount()"), /arguments/);
  });

  it("coalesce returns the first non-null value; if and case pick by predicate", () => {
    assert.equal(run("coalesce(a, b, \"c\")", { b: "B" }), "B");
    assert.equal(run("coalesce(a, b)"), null);
    assert.equal(run('if(a=="x", "yes", "no")', { a: "x" }), "yes");
    assert.equal(run('if(a=="x", "yes", "no")'), "no", "a comparison with a missing field is false");
    assert.equal(run('case(a==1, "one", a==2, "two")', { a: "2" }), "two");
    assert.equal(run('case(a==1, "one")', { a: "3" }), null);
  });

  it("match finds a regex anywhere; (?i) makes it case-insensitive; replace uses \\1 back-references", () => {
    assert.equal(run('match(a, "b+")', { a: "abbbc" }), true);
    assert.equal(run('match(a, "^B")', { a: "bc" }), false);
    assert.equal(run('match(a, "(?i)^B")', { a: "bc" }), true);
    assert.equal(run('replace(a, "^.*@", "")', { a: "x@contoso.com" }), "contoso.com");
    assert.equal(run('replace(a, "(\\d+)-(\\d+)", "\\2-\\1")', { a: "12-34 and 5-6" }), "34-12 and 6-5");
    assert.equal(run('replace(a, "x", "$1")', { a: "x" }), "$1", "a $ in the replacement is literal");
  });

  it("nullif, isnotnull, isnum, isstr, len", () => {
    assert.equal(run('nullif(a, "")', { a: "" }), null);
    assert.equal(run('nullif(a, "")', { a: "v" }), "v");
    assert.equal(run("isnotnull(a)", { a: "" }), true);
    assert.equal(run("isnum(a)", { a: "443" }), true, "a numeric field value counts as a number");
    assert.equal(run("isnum(a)", { a: "4x" }), false);
    assert.equal(run("isstr(a)", { a: "Mail" }), true);
    assert.equal(run("isstr(a)", { a: "12" }), false);
    assert.equal(run("len(a)", { a: "héllo" }), 5);
  });

  it("multivalue functions: mvcount, mvdedup, mvfind, mvindex, mvmap, split", () => {
    const mv = { r: ["a@x.com", "b@y.com", "c@x.com"] };
    assert.equal(run("mvcount(r)", mv), 3);
    assert.equal(run("mvcount(r)", { r: "one" }), 1);
    assert.equal(run("mvcount(r)"), null);
    assert.deepEqual(run('mvdedup(mvmap(r, replace(r, "^.*@", "")))', mv), ["x.com", "y.com"]);
    assert.equal(run('mvfind(r, "^b")', mv), 1);
    assert.equal(run('mvfind(r, "^z")', mv), null);
    assert.equal(run("mvindex(r, 1)", mv), "b@y.com");
    assert.deepEqual(run("mvindex(r, -2, -1)", mv), ["b@y.com", "c@x.com"]);
    assert.equal(run("mvindex(r, mvfind(r, \"^z\"))", mv), null);
    assert.deepEqual(run('split(a, ",")', { a: "1,2,3" }), ["1", "2", "3"]);
  });

  it("spath reads JSON text with {} for arrays and returns null on bad JSON", () => {
    const data = JSON.stringify({ Severity: "High", Entities: [{ Upn: "a@x" }, { Type: "ip" }, { Upn: "b@x" }], n: 3, o: { k: 1 } });
    assert.equal(run('spath(d, "Severity")', { d: data }), "High");
    assert.deepEqual(run('spath(d, "Entities{}.Upn")', { d: data }), ["a@x", "b@x"]);
    assert.equal(run('spath(d, "Entities{2}.Type")', { d: data }), "ip");
    assert.equal(run('spath(d, "n")', { d: data }), "3");
    assert.equal(run('spath(d, "o")', { d: data }), '{"k":1}');
    assert.equal(run('spath(d, "missing")', { d: data }), null);
    assert.equal(run('spath(d, "a")', { d: "not json" }), null);
  });

  it("operators: comparisons numeric when both sides are numbers, AND/OR/NOT, arithmetic and concatenation", () => {
    assert.equal(run("a==mvcount(r)", { a: "2", r: ["x", "y"] }), true);
    assert.equal(run("a < b", { a: "9", b: "10" }), true);
    assert.equal(run('a < b', { a: "b", b: "a" }), false);
    assert.equal(run("isnum(a) and a == (b+c)", { a: "5", b: "2", c: "3" }), true);
    assert.equal(run('NOT a=="x" OR b=="y"', { a: "x", b: "y" }), true);
    assert.equal(run('a . "-" . b', { a: "x", b: "1" }), "x-1");
    assert.throws(() => run('if(a, 1, 2)', { a: "x" }), /needs a boolean/);
  });

  it("a calculated field drops null and empty results and never holds a boolean", () => {
    assert.equal(toFieldValues(null), undefined);
    assert.deepEqual(toFieldValues(443), ["443"]);
    assert.deepEqual(toFieldValues(["a", "b"]), ["a", "b"]);
    assert.throws(() => toFieldValues(true));
  });
});
