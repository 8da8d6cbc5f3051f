import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { confToMap, parseConf, readConf } from "../../lib/conf";
import { lintSpl, SplContext } from "../../lib/splLint";
import { APP_ROOT, loadContext } from "./appContext";

function stanzas(file: string): Map<string, Map<string, string>> {
  const map = confToMap(readConf(path.join(APP_ROOT, "default", file)));
  map.delete("");
  return map;
}

describe("SPL of macros and eventtypes", () => {
  let ctx: SplContext;
  before(() => {
    ctx = loadContext();
  });

  it("every macro passes the SPL lint (fields are checked where the macro is used)", () => {
    for (const [name, settings] of stanzas("macros.conf")) {
      const definition = settings.get("definition") ?? "";
      // A definition starting with a command continues a pipeline; otherwise it is search terms.
      const first = /^\s*([a-z]+)(?=\s|$)/.exec(definition)?.[1];
      const fragment = first !== undefined && first in ctx.vocabulary.commands ? definition : `search ${definition}`;
      assert.deepEqual(lintSpl(fragment, ctx, { fragment: true, fields: null }), [], name);
    }
  });

  it("every eventtype search passes the SPL lint, fields included", () => {
    const eventtypes = stanzas("eventtypes.conf");
    assert.ok(eventtypes.size > 0);
    for (const [name, settings] of eventtypes) assert.deepEqual(lintSpl(settings.get("search") ?? "", ctx), [], name);
  });

  it("the dashboards-and-alerts macros sit in their own section at the end of macros.conf", () => {
    const text = fs.readFileSync(path.join(APP_ROOT, "default", "macros.conf"), "utf8");
    const [before, section] = text.split(/^# --- Dashboards and alerts ---$/m);
    assert.ok(section !== undefined, "section marker");
    const ours = parseConf(section).stanzas.map((s) => s.name);
    assert.ok(ours.length >= 8 && ours.every((n) => n.startsWith("defender_o365_")), ours.join());
    const theirs = parseConf(before).stanzas.map((s) => s.name);
    assert.deepEqual(ours.filter((n) => theirs.includes(n)), [], "no macro defined twice");
  });
});
