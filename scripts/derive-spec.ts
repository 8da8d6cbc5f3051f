// Derives the project's own reference data from Splunk's published files (run by hand only):
//   tsx scripts/derive-spec.ts [<splunk reference dir>]   (default ../shared/splunk)
// writes test/data/conf-spec.json (settings and value types per .conf file, from spec/*.conf.spec)
// and test/data/spl-eval-functions.json (eval function names and syntax, from spl/eval-*.md).
// Tests read only these outputs, never the reference folder.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSpec, type SpecSet } from "../test/lib/confSpec";

const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "..", "shared", "splunk"));
const out = path.join(__dirname, "..", "test", "data");

function deriveSpecs(): SpecSet {
  const specs: SpecSet = {};
  const dir = path.join(root, "spec");
  for (const name of fs.readdirSync(dir).sort()) {
    const m = /^([a-z_]+\.conf)\.spec$/.exec(name);
    if (m) specs[m[1]] = parseSpec(fs.readFileSync(path.join(dir, name), "utf8"));
  }
  return specs;
}

/** Function name -> syntax, from the `| \`name\` | \`syntax\` |` rows of the eval reference tables. */
function deriveEvalFunctions(): Record<string, string> {
  const functions: Record<string, string> = {};
  const dir = path.join(root, "spl");
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.startsWith("eval-")) continue;
    for (const line of fs.readFileSync(path.join(dir, name), "utf8").split("\n")) {
      const row = /^\| `([a-z_0-9]+)` \| `([^`]+)`/.exec(line);
      if (row) functions[row[1]] = row[2];
    }
  }
  return functions;
}

fs.writeFileSync(path.join(out, "conf-spec.json"), JSON.stringify(deriveSpecs(), null, 1) + "\n");
fs.writeFileSync(path.join(out, "spl-eval-functions.json"), JSON.stringify(deriveEvalFunctions(), null, 1) + "\n");
console.log(`wrote ${out}/conf-spec.json and spl-eval-functions.json from ${root}`);
