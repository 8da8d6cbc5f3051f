import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
// The module object itself (the namespace import is read-only): stubs on it reach the product code.
import fsModule from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sinon from "sinon";
import { acquireLock } from "../../../src/collector/lock";
import { StateWriteError } from "../../../src/collector/stateFile";

describe("lock: owners, takeover and failures", () => {
  let dir: string;
  const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;
  const lockFile = (name: string): string => path.join(dir, `${name}.lock`);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lockt-"));
  });
  afterEach(() => {
    sinon.restore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes its owner (pid, the given start time, the process start on Linux) and keeps it private", async () => {
    const got = await acquireLock(dir, "o", () => new Date("2026-11-20T12:00:00Z"));
    assert.ok("lock" in got);
    assert.equal(got.lock.file, lockFile("o"));
    const owner = JSON.parse(fs.readFileSync(lockFile("o"), "utf8"));
    assert.equal(owner.pid, process.pid);
    assert.equal(owner.startedAt, "2026-11-20T12:00:00.000Z");
    if (fs.existsSync("/proc/self/stat")) assert.match(owner.processStart, /^\d+$/);
    assert.equal(fs.statSync(lockFile("o")).mode & 0o777, 0o600);
    got.lock.release();
  });

  it("a live holder keeps the lock (pid 1 always runs), its owner told as written", async () => {
    const holder = { pid: 1, startedAt: "2026-11-20T00:00:00Z" };
    fs.writeFileSync(lockFile("h"), JSON.stringify(holder));
    assert.deepEqual(await acquireLock(dir, "h"), { heldBy: holder });
    assert.deepEqual(JSON.parse(fs.readFileSync(lockFile("h"), "utf8")), holder);
  });

  const bad: [string, unknown][] = [
    ["pid 0", { pid: 0, startedAt: "x" }],
    ["a negative pid", { pid: -1, startedAt: "x" }],
    ["a fractional pid", { pid: 1.5, startedAt: "x" }],
    ["a pid as text", { pid: "1", startedAt: "x" }],
    ["no start time", { pid: 1 }],
    ["null", null],
  ];
  for (const [what, content] of bad) {
    it(`takes over a lock file with ${what}, leaving nothing aside`, async () => {
      fs.writeFileSync(lockFile("b"), JSON.stringify(content));
      const got = await acquireLock(dir, "b");
      assert.ok("lock" in got, what);
      assert.deepEqual(fs.readdirSync(dir), ["b.lock"]);
      assert.equal(JSON.parse(fs.readFileSync(lockFile("b"), "utf8")).pid, process.pid);
    });
  }

  it("release leaves a lock another run took over meanwhile", async () => {
    const got = await acquireLock(dir, "r");
    assert.ok("lock" in got);
    fs.writeFileSync(lockFile("r"), JSON.stringify({ pid: 1, startedAt: "x" }));
    got.lock.release();
    assert.equal(JSON.parse(fs.readFileSync(lockFile("r"), "utf8")).pid, 1);
  });

  it("when every takeover loses the rename race, it names the holder and does not take the lock", async () => {
    const stale = { pid: deadPid(), startedAt: "2026-01-01T00:00:00Z" };
    fs.writeFileSync(lockFile("s"), JSON.stringify(stale));
    const rename = sinon.stub(fsModule, "renameSync").throws(Object.assign(new Error("ENOENT"), { code: "ENOENT" }));
    assert.deepEqual(await acquireLock(dir, "s"), { heldBy: stale });
    assert.equal(rename.callCount, 3);
    fs.writeFileSync(lockFile("s"), "{");
    assert.deepEqual(await acquireLock(dir, "s"), { heldBy: { pid: 0, startedAt: "unknown" } });
  });

  it("a folder that cannot hold the lock is a state write error naming the file", async () => {
    const missing = path.join(dir, "gone");
    await assert.rejects(acquireLock(missing, "m"), (e: unknown) => e instanceof StateWriteError && e.osError === "ENOENT" && e.path === path.join(missing, "m.lock"));
  });

  it("a lock the disk stored no byte of is removed, and the run is told", async () => {
    sinon.stub(fsModule, "writeSync").returns(0);
    await assert.rejects(acquireLock(dir, "w"), (e: unknown) => e instanceof StateWriteError && e.osError === "short_write");
    sinon.restore();
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
