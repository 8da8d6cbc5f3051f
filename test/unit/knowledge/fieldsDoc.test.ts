// docs/fields.md keeps up with props: every field the app adds on a sourcetype (measured on the
// sample records) is named in that sourcetype's section.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { SOURCETYPES } from "../../../src/collector/sourcetype";
import { cimSamples } from "../../lib/samples";
import { APP_ROOT, searchTimeFields } from "../../lib/searchTime";
import { flattenJson } from "../../lib/splunkJson";

/** Sourcetype -> the backticked names in its `### \`<sourcetype>\`` section. */
function documented(): Map<string, Set<string>> {
  const doc = fs.readFileSync(path.join(APP_ROOT, "docs", "fields.md"), "utf8");
  const sections = new Map<string, Set<string>>();
  for (const part of doc.split(/^### /m).slice(1)) {
    const heading = /^`([^`]+)`/.exec(part);
    if (heading) sections.set(heading[1], new Set([...part.matchAll(/`([^`\s]+)`/g)].map((m) => m[1])));
  }
  return sections;
}

describe("knowledge: docs/fields.md", () => {
  it("has a section for every sourcetype, naming every field the app adds there", () => {
    const sections = documented();
    const missing: string[] = [];
    for (const sourcetype of SOURCETYPES) assert.ok(sections.has(sourcetype), `no section for ${sourcetype}`);
    for (const s of cimSamples()) {
      const raw = flattenJson(s.record);
      const names = sections.get(s.sourcetype) ?? new Set<string>();
      for (const field of searchTimeFields(s.record, s.sourcetype).keys()) {
        // Regex copies are documented by their prefix, e.g. `defender_o365_air_<Key>`.
        const prefixed = [...names].some((n) => n.endsWith("_<Key>") && field.startsWith(n.slice(0, -"<Key>".length)));
        if (!raw.has(field) && !names.has(field) && !prefixed) missing.push(`${s.sourcetype}: ${field}`);
      }
    }
    assert.deepEqual([...new Set(missing)], []);
  });
});
