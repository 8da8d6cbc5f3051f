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

describe("KeySet.addMany (bulk load in one pass, room per hash group from an estimate)", () => {
  it("adds the keys of every chunk once, across chunks and beside keys added before", () => {
    const all = keysBuffer(3000, "a");
    const set = new KeySet(8);
    set.add(all, 0); // already present: skipped by the bulk load
    // Chunks: the first 1000 keys, the same 1000 again (repeats), the rest from an odd offset.
    const odd = Buffer.alloc(2000 * ID_BYTES + 1);
    all.copy(odd, 1, 1000 * ID_BYTES);
    set.addMany(4000, [all.subarray(0, 1000 * ID_BYTES), all.subarray(0, 1000 * ID_BYTES), odd.subarray(1)]);
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
    set.addMany(10, [all.subarray(0, 10 * ID_BYTES - 3)]);
    assert.equal(set.size, 9);
  });

  it("keeps every key when the estimate is too low: the keys that find their group full", () => {
    const all = keysBuffer(5000, "d");
    for (const expected of [0, 1, 1000]) {
      const set = new KeySet();
      set.addMany(expected, [all, all.subarray(0, 100 * ID_BYTES)]);
      assert.equal(set.size, 5000, `expected ${expected}`);
      for (let i = 0; i < 5000; i++) assert.equal(set.has(all, i * ID_BYTES), true, `expected ${expected}, key ${i}`);
      assert.equal(set.add(all, 4999 * ID_BYTES), false);
      assert.equal(set.has(keysBuffer(1, "e")), false);
    }
  });

  it("keeps once a key that fills its group many times over, and the all-zero key", () => {
    const one = keysBuffer(1, "f");
    const others = keysBuffer(200, "g");
    const zero = Buffer.alloc(ID_BYTES);
    const chunk = Buffer.concat([...Array.from({ length: 5000 }, () => one), others, zero, zero]);
    const set = new KeySet();
    set.addMany(chunk.length / ID_BYTES, [chunk]);
    assert.equal(set.size, 202);
    assert.equal(set.has(one), true);
    assert.equal(set.has(zero), true);
    for (let i = 0; i < 200; i++) assert.equal(set.has(others, i * ID_BYTES), true, `key ${i}`);
    assert.equal(set.add(one), false);
  });

  it("takes an estimate far above what the chunks hold, and no chunk at all", () => {
    const all = keysBuffer(50, "h");
    const set = new KeySet();
    set.addMany(100_000, [all]);
    set.addMany(10, []);
    assert.equal(set.size, 50);
    for (let i = 0; i < 50; i++) assert.equal(set.has(all, i * ID_BYTES), true, `key ${i}`);
  });
});

describe("IdStore.load of day files larger than its read chunk", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ids-bulk-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("leaves room for the Ids of a run: an eighth of those loaded go in without a bigger key storage", () => {
    fs.writeFileSync(path.join(dir, "2026-11-20.ids"), keysBuffer(160_000, "s"));
    const store = IdStore.load(dir, { now: () => new Date("2026-11-20T12:00:00Z") });
    const fresh = keysBuffer(20_000, "t");
    const keys = Array.from({ length: 20_000 }, (_, i) => fresh.subarray(i * ID_BYTES, (i + 1) * ID_BYTES));
    // A storage that grew would be a new 5 MiB ArrayBuffer (twice the 2.5 MiB of keys), seen here.
    const before = process.memoryUsage().arrayBuffers;
    for (const key of keys) assert.equal(store.remember(key), true);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.equal(store.size, 180_000);
    assert.ok(grown < 1 << 20, `array buffers grew by ${grown} bytes`);
  });

  it("reads every whole key of each file, a torn key at a file's end left out", () => {
    // 70,000 keys = 1.07 MiB: more than one read of the load's chunk; the second file ends in 5 torn bytes.
    const big = keysBuffer(70_000, "f");
    const small = keysBuffer(100, "g");
    fs.writeFileSync(path.join(dir, "2026-11-19.ids"), big);
    fs.writeFileSync(path.join(dir, "2026-11-20.ids"), Buffer.concat([small, Buffer.from([1, 2, 3, 4, 5])]));
    const store = IdStore.load(dir, { now: () => new Date("2026-11-20T12:00:00Z") });
    assert.equal(store.size, 70_100);
    for (const i of [0, 65_535, 65_536, 69_999]) assert.equal(store.has(big.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)), true, `big key ${i}`);
    assert.equal(store.has(small.subarray(99 * ID_BYTES)), true);
  });

  it("sizes the load from the file sizes: empty files, keys in several files, old days deleted", () => {
    const keys = keysBuffer(3000, "i");
    const file = (day: string) => path.join(dir, `${day}.ids`);
    fs.writeFileSync(file("2026-11-10"), keysBuffer(10, "old")); // past the 8 days: deleted
    fs.writeFileSync(file("2026-11-13"), Buffer.alloc(0));
    fs.writeFileSync(file("2026-11-14"), keys.subarray(0, 2000 * ID_BYTES));
    fs.writeFileSync(file("2026-11-15"), Buffer.alloc(7)); // only a torn key
    fs.writeFileSync(file("2026-11-16"), keys.subarray(1000 * ID_BYTES)); // 1000 of them again
    fs.writeFileSync(file("2026-11-17"), Buffer.concat([keys.subarray(0, ID_BYTES), keys.subarray(0, ID_BYTES)]));
    const store = IdStore.load(dir, { now: () => new Date("2026-11-20T12:00:00Z") });
    assert.equal(store.size, 3000);
    for (let i = 0; i < 3000; i++) assert.equal(store.has(keys.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)), true, `key ${i}`);
    assert.equal(store.has(keysBuffer(1, "old")), false);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["2026-11-13.ids", "2026-11-14.ids", "2026-11-15.ids", "2026-11-16.ids", "2026-11-17.ids"]);
    assert.equal(store.remember(keysBuffer(1, "new")), true);
    assert.equal(store.remember(keys.subarray(0, ID_BYTES)), false);
  });

  it("loads a folder with no day files", () => {
    const store = IdStore.load(dir, { now: () => new Date("2026-11-20T12:00:00Z") });
    assert.equal(store.size, 0);
    assert.equal(store.has(keysBuffer(1, "j")), false);
  });
});
