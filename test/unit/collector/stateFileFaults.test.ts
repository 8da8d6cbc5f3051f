import { strict as assert } from "node:assert";
import * as fs from "node:fs";
// The module object itself (the namespace import is read-only): stubs on it reach the product code.
import fsModule from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sinon from "sinon";
import { appendRecords, replaceFile, stateStep, StateWriteError, writeAll } from "../../../src/collector/stateFile";

describe("stateFile: each step's failure", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sff-"));
  });
  afterEach(() => {
    sinon.restore();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const oserr = (code: string) => Object.assign(new Error(`${code}: refused`), { code });

  it("names the file, the OS code and the cause; a non-OS error is 'unknown'; its own errors pass through", () => {
    const e = (() => {
      try {
        return stateStep("/s/f", () => {
          throw oserr("EROFS");
        });
      } catch (err) {
        return err as StateWriteError;
      }
    })();
    assert.ok(e instanceof StateWriteError);
    assert.deepEqual([e.name, e.message, e.path, e.osError, e.cause], ["StateWriteError", "cannot write /s/f: EROFS: refused", "/s/f", "EROFS", "checkpoint_unwritable"]);
    assert.throws(
      () =>
        stateStep("/s/g", () => {
          throw new Error("odd");
        }),
      (x: unknown) => x instanceof StateWriteError && x.osError === "unknown",
    );
    const own = new StateWriteError("/s/h", "short_write", "d");
    assert.throws(
      () =>
        stateStep("/s/other", () => {
          throw own;
        }),
      (x: unknown) => x === own,
    );
    assert.equal(
      stateStep("/s/f", () => 7),
      7,
    );
  });

  it("a short write names how many bytes went out before the disk took none", () => {
    const fd = fs.openSync(path.join(dir, "w"), "w");
    const real = fs.writeSync;
    let calls = 0;
    sinon.stub(fsModule, "writeSync").callsFake(((f: number, buf: Uint8Array, off: number, len: number) => (++calls === 1 ? real(f, buf, off, Math.min(len, 4)) : 0)) as typeof fs.writeSync);
    assert.throws(() => writeAll(fd, Buffer.from("0123456789"), "w"), (e: unknown) => e instanceof StateWriteError && e.message === "cannot write w: wrote 4 of 10 bytes (the disk accepted no more)");
    fs.closeSync(fd);
    const empty = fs.openSync(path.join(dir, "empty"), "w");
    writeAll(empty, Buffer.alloc(0), "empty");
    fs.closeSync(empty);
    assert.equal(fs.statSync(path.join(dir, "empty")).size, 0);
  });

  it("replaceFile: writes every byte of a partial-taking OS; a failed fsync or rename leaves the old file", () => {
    const file = path.join(dir, "c.json");
    const real = fs.writeSync;
    const write = sinon.stub(fsModule, "writeSync").callsFake(((f: number, buf: Uint8Array, off: number, len: number) => real(f, buf, off, Math.min(len, 2))) as typeof fs.writeSync);
    replaceFile(file, Buffer.from("old state"));
    write.restore();
    assert.equal(fs.readFileSync(file, "utf8"), "old state");
    const fsync = sinon.stub(fsModule, "fsyncSync").throws(oserr("EIO"));
    assert.throws(() => replaceFile(file, "new"), (e: unknown) => e instanceof StateWriteError && e.osError === "EIO" && e.path === `${file}.tmp`);
    fsync.restore();
    sinon.stub(fsModule, "renameSync").throws(oserr("EXDEV"));
    assert.throws(() => replaceFile(file, "new"), (e: unknown) => e instanceof StateWriteError && e.osError === "EXDEV" && e.path === file);
    sinon.restore();
    assert.equal(fs.readFileSync(file, "utf8"), "old state");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it("appendRecords: keeps whole records, appends after them, and names an unopenable file", () => {
    const file = path.join(dir, "k.ids");
    appendRecords(file, Buffer.from("abcd"), 4);
    appendRecords(file, Buffer.from("efgh"), 4);
    assert.equal(fs.readFileSync(file, "utf8"), "abcdefgh");
    fs.appendFileSync(file, "ijklm");
    appendRecords(file, Buffer.from("nopq"), 4);
    assert.equal(fs.readFileSync(file, "utf8"), "abcdefghijklnopq");
    const missing = path.join(dir, "no", "x.ids");
    assert.throws(() => appendRecords(missing, Buffer.from("abcd"), 4), (e: unknown) => e instanceof StateWriteError && e.osError === "ENOENT" && e.path === missing);
    sinon.stub(fsModule, "ftruncateSync").throws(oserr("EIO"));
    fs.appendFileSync(file, "z");
    assert.throws(() => appendRecords(file, Buffer.from("rstu"), 4), (e: unknown) => e instanceof StateWriteError && e.osError === "EIO");
  });
});
