// Comments cite files a contributor who clones the repository has: docs/*.md and the outside
// facts in docs/reference/ (docs/reference/README.md).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return /\.(ts|tsx|md|sh|cmd)$/.test(e.name) ? [rel] : [];
  });
}

const SOURCES = ["src", "test", "scripts", "bin"].flatMap(files);

function findAll(pattern: RegExp): string[] {
  return SOURCES.flatMap((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return [...text.matchAll(pattern)].map((m) => `${file}: ${m[0]}`);
  });
}

describe("docs citations in code", () => {
  it("cites no design notes outside the repository", () => {
    assert.deepEqual(findAll(/(?<![\w-])design\.md/g), []);
  });

  it("cites reference files by their path in the repository", () => {
    assert.deepEqual(findAll(/(?<![\w/.-])reference\/[\w-]+\.md/g), []);
  });

  it("cites only docs files that exist", () => {
    const cited = findAll(/docs\/[\w/-]+\.md/g);
    assert.ok(cited.length > 40, `only ${cited.length} citations found`);
    const missing = cited.filter((hit) => !fs.existsSync(path.join(ROOT, hit.slice(hit.indexOf(": ") + 2))));
    assert.deepEqual(missing, []);
  });
});
