import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { isCause } from "../../../src/errors/causes";

const ROOT = path.join(__dirname, "..", "..", "..");

function files(dir: string, keep: (name: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full, keep) : keep(e.name) ? [full] : [];
  });
}

/** Every `cause=x` / `cause="x"` / `cause=\"x\"` a search, dashboard, launcher or doc names. */
function searchedCauses(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/cause=\\?"?([a-z][a-z0-9_]*)/g)].map((m) => m[1]);
}

describe("errors/causes", () => {
  const places = [
    ...files(path.join(ROOT, "default"), (n) => n.endsWith(".conf") || n.endsWith(".xml")),
    ...files(path.join(ROOT, "docs"), (n) => n.endsWith(".md")),
    ...files(path.join(ROOT, "bin"), (n) => n.endsWith(".sh") || n.endsWith(".cmd")),
    ...files(path.join(ROOT, "src", "dashboards"), (n) => n.endsWith(".ts")),
    path.join(ROOT, "README.md"),
  ];

  it("finds the causes the dashboards and docs search on", () => {
    const all = places.flatMap(searchedCauses);
    for (const known of ["throttled", "horizon_exceeded", "content_expired", "node_missing", "config_invalid"]) assert.ok(all.includes(known), known);
  });

  it("lists every cause that conf files, dashboards, launchers and docs search on", () => {
    const unknown = places.flatMap((file) => searchedCauses(file).filter((c) => !isCause(c)).map((c) => `${path.relative(ROOT, file)}: cause=${c}`));
    assert.deepEqual(unknown, [], "add the cause to src/errors/causes.ts, or fix the search");
  });

  it("does not take inherited names for causes", () => {
    assert.equal(isCause("constructor"), false);
    assert.equal(isCause("toString"), false);
  });
});
