import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ID_BYTES, IdStore, KeySet } from "../../../src/collector/dedupe";

/** n distinct keys from a fixed seed, as one buffer. */
function keysBuffer(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n * ID_BYTES);
  for (let i = 0; i < n; i++) crypto.createHash("sha256").update(`${seed}:${i}`).digest().copy(out, i * ID_BYTES, 0, ID_BYTES);
  return out;
}

describe("KeySet.addMany (bulk load in two passes)", () => {
  it("adds the keys of every chunk once, across chunks and beside keys added before", () => {
    const all = keysBuffer(3000, "a");
    const set = new KeySet(8);
    set.add(all, 0); // already present: skipped by the bulk load
    // Chunks: the first 1000 keys, the same 1000 again (repeats), the rest from an odd offset.
    const odd = Buffer.alloc(2000 * ID_BYTES + 1);
    all.copy(odd, 1, 1000 * ID_BYTES);
    set.addMany(() => [all.subarray(0, 1000 * ID_BYTES), all.subarray(0, 1000 * ID_BYTES), odd.subarray(1)]);
    assert.equal(set.size, 3000);
    for (let i = 0; i < 3000; i++) assert.equal(set.has(all, i * ID_BYTES), true, `key ${i}`);
    assert.equal(set.has(keysBuffer(1, "b")), false);
    // The set still takes single keys after a bulk load.
    assert.equal(set.add(keysBuffer(1, "b")), true);
    assert.equal(set.add(all, 5 * ID_BYTES), false);
    assert.equal(set.size, 3001);
  });

  it("ignores a partial key at the end of a chunk", () => {
    const all = keysBuffer(10, "c");
    const set = new KeySet();
    set.addMany(() => [all.subarray(0, 10 * ID_BYTES - 3)]);
    assert.equal(set.size, 9);
  });

  it("refuses a source whose second pass differs from its first, and keeps what it held", () => {
    const first = keysBuffer(50, "d");
    const other = keysBuffer(50, "e");
    const set = new KeySet();
    set.add(first, 0);
    let pass = 0;
    assert.throws(() => set.addMany(() => [++pass === 1 ? first : other]), /second pass/);
    pass = 0;
    assert.throws(() => set.addMany(() => (++pass === 1 ? [first] : [first.subarray(0, 10 * ID_BYTES)])), /fewer keys/);
    assert.equal(set.size, 1);
    assert.equal(set.has(first, 0), true);
    assert.equal(set.has(first, ID_BYTES), false);
  });
});

describe("IdStore.load of day files larger than its read chunk", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ids-bulk-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads every whole key of each file, a torn key at a file's end left out", () => {
    // 70,000 keys = 1.07 MiB: more than one 1 MiB read; the second file ends in 5 torn bytes.
    const big = keysBuffer(70_000, "f");
    const small = keysBuffer(100, "g");
    fs.writeFileSync(path.join(dir, "2026-11-19.ids"), big);
    fs.writeFileSync(path.join(dir, "2026-11-20.ids"), Buffer.concat([small, Buffer.from([1, 2, 3, 4, 5])]));
    const store = IdStore.load(dir, { now: () => new Date("2026-11-20T12:00:00Z") });
    assert.equal(store.size, 70_100);
    for (const i of [0, 65_535, 65_536, 69_999]) assert.equal(store.has(big.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)), true, `big key ${i}`);
    assert.equal(store.has(small.subarray(99 * ID_BYTES)), true);
  });
});
