import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkpointPaths, emptyCheckpoint, loadCheckpoint, safeName, saveCheckpoint } from "../../../src/collector/checkpoint";

describe("checkpoint", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names files safely for any input name", () => {
    assert.equal(safeName("contoso"), "contoso");
    assert.equal(safeName("../a b/c"), "%2e.%2fa%20b%2fc");
    assert.deepEqual(checkpointPaths("/cp", "x:y"), { file: "/cp/x%3ay.json", idsDir: "/cp/x%3ay.ids" });
  });

  it("starts fresh, then round-trips what was saved, leaving no temp file", () => {
    const { file } = checkpointPaths(dir, "contoso");
    assert.equal(loadCheckpoint(file, "t1").kind, "fresh");
    const state = emptyCheckpoint("t1");
    state.contentTypes["Audit.General"] = { committedEnd: "2026-11-20T00:00:00.000Z", doneBlobs: { a: 1 }, pending: [] };
    saveCheckpoint(file, state);
    assert.deepEqual(loadCheckpoint(file, "t1"), { kind: "loaded", state });
    assert.deepEqual(fs.readdirSync(dir), ["contoso.json"]);
  });

  it("moves a damaged file aside instead of deleting it", () => {
    const { file } = checkpointPaths(dir, "contoso");
    fs.writeFileSync(file, "{not json");
    const r = loadCheckpoint(file, "t1");
    assert.equal(r.kind, "reset");
    assert.ok(r.kind === "reset" && r.movedTo && fs.readFileSync(r.movedTo, "utf8") === "{not json");
  });

  it("resets when the input now points at another tenant", () => {
    const { file } = checkpointPaths(dir, "contoso");
    saveCheckpoint(file, emptyCheckpoint("t1"));
    const r = loadCheckpoint(file, "t2");
    assert.equal(r.kind, "reset");
    assert.match(r.kind === "reset" ? r.reason : "", /tenant changed/);
  });
});
