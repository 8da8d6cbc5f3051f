import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { acquireLock } from "../../../src/collector/lock";

describe("lock", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is held once: a second taker learns the holder; release frees it", async () => {
    const first = await acquireLock(dir, "contoso");
    assert.ok("lock" in first);
    const second = await acquireLock(dir, "contoso");
    assert.ok("heldBy" in second && second.heldBy.pid === process.pid);
    first.lock.release();
    assert.deepEqual(fs.readdirSync(dir), []);
    const third = await acquireLock(dir, "contoso");
    assert.ok("lock" in third);
    third.lock.release();
  });

  it("takes over a lock whose process is gone, and one that is unreadable", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    fs.writeFileSync(path.join(dir, "a.lock"), JSON.stringify({ pid: dead, startedAt: "2026-01-01T00:00:00Z" }));
    fs.writeFileSync(path.join(dir, "b.lock"), '{"pid": 12');
    for (const name of ["a", "b"]) {
      const got = await acquireLock(dir, name);
      assert.ok("lock" in got, name);
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, `${name}.lock`), "utf8")).pid, process.pid);
      got.lock.release();
    }
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("does not mistake a reused pid for the holder (Linux start time)", async function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip();
    fs.writeFileSync(path.join(dir, "c.lock"), JSON.stringify({ pid: process.pid, startedAt: "2026-01-01T00:00:00Z", processStart: "1" }));
    const got = await acquireLock(dir, "c");
    assert.ok("lock" in got);
    got.lock.release();
  });
});
