// Every .conf the app ships against Splunk 10.2.3's .conf.spec (test/data/conf-spec.json), and
// the checker itself against settings the spec does and does not allow.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkConfFile, parseValueType } from "../../lib/confSpec";
import { APP_ROOT } from "../../lib/searchTime";

describe("knowledge: .conf files against Splunk's .conf.spec", () => {
  const shipped = fs.readdirSync(path.join(APP_ROOT, "default")).filter((f) => f.endsWith(".conf"));

  it("ships the knowledge-object files", () => {
    for (const f of ["props.conf", "transforms.conf", "eventtypes.conf", "tags.conf", "macros.conf"]) assert.ok(shipped.includes(f), f);
  });

  for (const file of shipped) {
    it(`default/${file}: every stanza, setting and value is allowed`, () => {
      assert.deepEqual(checkConfFile(path.join(APP_ROOT, "default", file)), []);
    });
  }
});

describe("knowledge: spec checker", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-o365-spec-"));
    fs.mkdirSync(path.join(dir, "default"));
    fs.mkdirSync(path.join(dir, "README"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function check(file: string, text: string): string[] {
    const p = path.join(dir, "default", file);
    fs.writeFileSync(p, text);
    return checkConfFile(p);
  }

  it("reads value types from the spec text", () => {
    assert.deepEqual(parseValueType("<boolean>"), { kind: "boolean" });
    assert.deepEqual(parseValueType("<non-negative integer>"), { kind: "integer", min: 0 });
    assert.deepEqual(parseValueType("<integer, 1 through 10>"), { kind: "integer", min: 1, max: 10 });
    assert.deepEqual(parseValueType("[none|auto|multi:<multikv.conf_stanza_name>|json]"), { kind: "enum", values: ["none", "auto", "multi:.+", "json"] });
    assert.deepEqual(parseValueType("[<filename relative to $SPLUNK_HOME> | CURRENT | NONE]"), { kind: "string" });
    assert.deepEqual(parseValueType("<string>"), { kind: "string" });
  });

  it("accepts prefixed settings (EVAL-*, FIELDALIAS-*, LOOKUP-*, action.<name>.*)", () => {
    assert.deepEqual(check("props.conf", "[st]\nEVAL-x = 1\nFIELDALIAS-a = b AS c\nLOOKUP-l = t f OUTPUT g\nKV_MODE = multi:table\n"), []);
    assert.deepEqual(check("savedsearches.conf", "[Defender O365 - x]\nsearch = index=*\naction.email = 1\naction.email.to = a@b.c\n"), []);
  });

  it("reports unknown settings and values of the wrong type", () => {
    const problems = check("props.conf", "[st]\nKV_MODE = jsonx\nTRUNCATE = -1\nSHOULD_LINEMERGE = maybe\nMAX_TIMESTAMP_LOOKAHEAD = ten\nBOGUS = 1\n");
    assert.equal(problems.length, 5, problems.join("\n"));
    assert.match(problems[0], /KV_MODE = jsonx: is not one of/);
    assert.match(problems[1], /TRUNCATE = -1: is below 0/);
    assert.match(problems[2], /not a boolean/);
    assert.match(problems[3], /not an integer/);
    assert.match(problems[4], /BOGUS: setting not in the spec/);
  });

  it("checks enumerations and ranges of eventtypes.conf and tags.conf", () => {
    assert.equal(check("eventtypes.conf", "[e]\nsearch = x=1\npriority = 11\n").length, 1);
    assert.equal(check("tags.conf", "[eventtype=e]\nemail = on\n").length, 1);
    assert.deepEqual(check("tags.conf", "[eventtype=e]\nemail = enabled\n"), []);
  });

  it("reports stanzas the spec does not know", () => {
    assert.match(check("app.conf", "[bogus]\nx = 1\n").join(), /stanza not allowed/);
    assert.match(check("nosuch.conf", "[a]\n").join(), /no \.conf\.spec/);
  });

  it("merges the app's README/inputs.conf.spec for its modular input, including the scheme's defaults stanza", () => {
    fs.writeFileSync(path.join(dir, "README", "inputs.conf.spec"), "[my_scheme://<name>]\ntenant_id = <string>\nbackfill_hours = <integer>\n");
    assert.deepEqual(check("inputs.conf", "[my_scheme://a]\ntenant_id = x\nindex = main\n\n[my_scheme]\nbackfill_hours = 24\n"), []);
    assert.match(check("inputs.conf", "[my_scheme://a]\nbackfill_hours = many\n").join(), /not an integer/);
    assert.match(check("inputs.conf", "[other_scheme://a]\ntenant_id = x\n").join(), /stanza not allowed/);
  });
});
