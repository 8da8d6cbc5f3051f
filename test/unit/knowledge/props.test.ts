// Parsing settings of every sourcetype (docs/fields.md): search-time JSON, UTC, no
// truncation, and a timestamp rule that reads CreationTime the way splunkd would.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { SOURCETYPES } from "../../../src/collector/sourcetype";
import { confToMap, readConf } from "../../lib/conf";
import { fixtureSamples } from "../../lib/samples";
import { APP_ROOT } from "../../lib/searchTime";
import { pcre } from "../../lib/spl/evalExpr";

const props = confToMap(readConf(path.join(APP_ROOT, "default", "props.conf")));

/** splunkd's timestamp step for the one TIME_FORMAT we use: text after TIME_PREFIX, within the lookahead. */
function timestamp(raw: string, settings: Map<string, string>): number | undefined {
  const prefix = pcre(settings.get("TIME_PREFIX")!).exec(raw);
  if (!prefix) return undefined;
  assert.equal(settings.get("TIME_FORMAT"), "%Y-%m-%dT%H:%M:%S", "only this TIME_FORMAT is modelled");
  const text = raw.slice(prefix.index + prefix[0].length).slice(0, Number(settings.get("MAX_TIMESTAMP_LOOKAHEAD")));
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(text);
  assert.equal(settings.get("TZ"), "UTC");
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : undefined;
}

describe("knowledge: props.conf parsing settings", () => {
  for (const sourcetype of SOURCETYPES) {
    it(`[${sourcetype}]: search-time JSON, UTC, no truncation, no line merging, no indexed extraction`, () => {
      const s = props.get(sourcetype);
      assert.ok(s, "stanza missing");
      assert.equal(s.get("KV_MODE"), "json");
      assert.equal(s.get("TZ"), "UTC");
      assert.equal(s.get("TRUNCATE"), "0");
      assert.equal(s.get("SHOULD_LINEMERGE"), "false");
      assert.equal(s.get("INDEXED_EXTRACTIONS"), undefined, "would extract the JSON twice with KV_MODE = json");
    });
  }

  it("finds CreationTime (UTC, no zone suffix) in every record's text as the event time", () => {
    for (const s of [...fixtureSamples("real"), ...fixtureSamples("synthetic")]) {
      const expected = Date.parse(`${String(s.record.CreationTime).replace(/Z$/, "")}Z`) / 1000;
      assert.equal(timestamp(JSON.stringify(s.record), props.get(s.sourcetype)!), expected, s.origin);
    }
  });
});
