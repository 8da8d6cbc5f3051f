import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readTar, writeTar, type TarEntry } from "../../../scripts/tar";
import { extractArchive } from "../../lib/archive";

const LONG = `app/${"d".repeat(90)}/${"e".repeat(60)}/${"f".repeat(95)}.csv`; // > 100 bytes: needs the prefix field

const entries: TarEntry[] = [
  { path: "app/", mode: 0o755, mtime: 1700000000 },
  { path: "app/bin/run.sh", mode: 0o755, data: Buffer.from("#!/bin/sh\necho hi\n"), mtime: 1700000000 },
  { path: "app/empty.txt", mode: 0o644, data: Buffer.alloc(0), mtime: 1700000000 },
  { path: "app/block.bin", mode: 0o644, data: Buffer.alloc(512, 7), mtime: 1700000000 },
  { path: LONG, mode: 0o644, data: Buffer.from("é,ü\n"), mtime: 1700000000 },
];

describe("scripts/tar (ustar)", () => {
  const tar = writeTar(entries);

  it("writes 512-byte blocks ending with two zero blocks", () => {
    assert.equal(tar.length % 512, 0);
    assert.ok(tar.subarray(tar.length - 1024).every((b) => b === 0));
  });

  it("reads back every entry with its path, mode, time and bytes", () => {
    const back = readTar(tar);
    assert.deepEqual(back.map((e) => [e.path, e.mode, e.mtime, e.type, e.magic, e.checksumOk]), [
      ["app/", 0o755, 1700000000, "5", "ustar", true],
      ["app/bin/run.sh", 0o755, 1700000000, "0", "ustar", true],
      ["app/empty.txt", 0o644, 1700000000, "0", "ustar", true],
      ["app/block.bin", 0o644, 1700000000, "0", "ustar", true],
      [LONG, 0o644, 1700000000, "0", "ustar", true],
    ]);
    back.slice(1).forEach((e, i) => assert.deepEqual(e.data, entries[i + 1].data));
  });

  it("is extracted by another reader (node-tar, npm) with the same names, modes and contents", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tar-test-"));
    try {
      fs.writeFileSync(path.join(dir, "a.tar"), tar);
      extractArchive(path.join(dir, "a.tar"), dir);
      assert.equal(fs.statSync(path.join(dir, "app/bin/run.sh")).mode & 0o777, 0o755);
      assert.equal(fs.readFileSync(path.join(dir, LONG), "utf8"), "é,ü\n");
      assert.equal(fs.statSync(path.join(dir, "app/block.bin")).size, 512);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a name that ustar cannot hold", () => {
    assert.throws(() => writeTar([{ path: "x".repeat(101), mode: 0o644, data: Buffer.alloc(1), mtime: 0 }]), /too long for ustar/);
  });
});
