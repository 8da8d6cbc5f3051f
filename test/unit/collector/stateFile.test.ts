import { strict as assert } from "node:assert";
import * as fs from "node:fs";
// The module object itself (the namespace import is read-only): stubs on it reach the product code.
import fsModule from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sinon from "sinon";
import { appendRecords, replaceFile, StateWriteError } from "../../../src/collector/stateFile";

describe("stateFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-"));
  });
  afterEach(() => {
    sinon.restore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("finishes a write the OS took only in part", () => {
    const real = fs.writeSync;
    sinon.stub(fsModule, "writeSync").callsFake(((fd: number, buf: Uint8Array, off: number, len: number) => real(fd, buf, off, Math.min(len, 3))) as typeof fs.writeSync);
    appendRecords(path.join(dir, "a.ids"), Buffer.from("0123456789ab"), 4);
    assert.equal(fs.readFileSync(path.join(dir, "a.ids"), "utf8"), "0123456789ab");
  });

  it("fails, naming the file, when the disk takes no more bytes or is full; the old file stays whole", () => {
    const file = path.join(dir, "c.json");
    replaceFile(file, "old");
    const stub = sinon.stub(fsModule, "writeSync").returns(0);
    assert.throws(() => replaceFile(file, "new"), (e: unknown) => e instanceof StateWriteError && e.osError === "short_write" && e.path === `${file}.tmp`);
    stub.throws(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
    assert.throws(() => appendRecords(path.join(dir, "a.ids"), Buffer.alloc(16), 16), (e: unknown) => e instanceof StateWriteError && e.osError === "ENOSPC" && /a\.ids/.test(e.message));
    sinon.restore();
    assert.equal(fs.readFileSync(file, "utf8"), "old");
  });

  it("cuts off a partial record left by a kill before appending", () => {
    const file = path.join(dir, "k.ids");
    fs.writeFileSync(file, "abcdXY");
    appendRecords(file, Buffer.from("efgh"), 4);
    assert.equal(fs.readFileSync(file, "utf8"), "abcdefgh");
  });
});
