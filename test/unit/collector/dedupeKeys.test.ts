// The on-disk key of a record (docs/collector.md, "Exactly once"): a GUID's own 16 bytes, else
// the first 16 bytes of SHA-256 of "id:" + Id (or "text:" + record text). State files written by
// one version are read by the next, so the forms are pinned byte by byte; and the in-memory set
// that holds them must keep every key whatever its hash.
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import { KeySet, idKey } from "../../../src/collector/dedupe";
import { mulberry32 } from "../../lib/seededRandom";

const GUID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

/** The documented hash form, restated from docs/collector.md. */
function hashForm(prefix: "id:" | "text:", s: string): string {
  return crypto.createHash("sha256").update(prefix + s).digest().subarray(0, 16).toString("hex");
}

describe("collector/dedupe: idKey forms", () => {
  it("pins the hash forms of an Id and of a record text, as earlier state files hold them", () => {
    assert.equal(idKey("x", "").toString("hex"), "d9af79a0e7d5d36dab510bca5fec98a5");
    assert.equal(idKey(undefined, "x").toString("hex"), "ec16f620c5d12f35569a9d70c8f23bf5");
    assert.equal(idKey("x", "").toString("hex"), hashForm("id:", "x"));
    assert.equal(idKey(undefined, "x").toString("hex"), hashForm("text:", "x"));
  });

  it("reads every hex digit of a GUID in the API's form, both cases, to its own bytes", () => {
    const cases: [string, string][] = [
      ["01234567-8901-2345-6789-012345678901", "01234567890123456789012345678901"],
      ["abcdefab-cdef-abcd-efab-cdefabcdefab", "abcdefabcdefabcdefabcdefabcdefab"],
      ["ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB", "abcdefabcdefabcdefabcdefabcdefab"],
      ["9f0a9F0A-f9A0-0aF9-Af09-99ff00aaFF0a", "9f0a9f0af9a00af9af0999ff00aaff0a"],
      ["ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffffffffffffffffffffffffffff"],
      ["00000000-0000-0000-0000-000000000000", "00000000000000000000000000000000"],
    ];
    for (const [id, hex] of cases) assert.equal(idKey(id, "").toString("hex"), hex, id);
  });

  it("gives the same GUID in braces, without dashes or in capitals the same key", () => {
    const key = idKey(GUID, "").toString("hex");
    assert.equal(key, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    for (const id of [`{${GUID}}`, GUID.replace(/-/g, ""), GUID.toUpperCase(), `{${GUID.toUpperCase().replace(/-/g, "")}}`]) {
      assert.equal(idKey(id, "").toString("hex"), key, id);
    }
  });

  it("hashes 36-character Ids that are not GUIDs: a non-hex character in any place", () => {
    const ids = [
      `${GUID.slice(0, 35)}g`, // low digit of the last byte
      `g${GUID.slice(1)}`, // high digit of the first byte
      "g0g0g0g0-g0g0-g0g0-g0g0-g0g0g0g0g0g0", // every high digit
      "0g0g0g0g-0g0g-0g0g-0g0g-0g0g0g0g0g0g", // every low digit
      "G0G0G0G0-G0G0-G0G0-G0G0-G0G0G0G0G0G0",
      // the characters next to 0-9, a-f and A-F
      "@@@@@@@@-@@@@-@@@@-@@@@-@@@@@@@@@@@@",
      "````````-````-````-````-````````````",
      "////////-////-////-////-////////////",
      "::::::::-::::-::::-::::-::::::::::::",
      `${GUID.slice(0, 35)}@`,
      `${GUID.slice(0, 35)}\``,
    ];
    for (const id of ids) assert.equal(idKey(id, "").toString("hex"), hashForm("id:", id), id);
  });

  it("hashes Ids whose dashes are not at 8, 13, 18 and 23, or that are one character off", () => {
    const ids = [
      ...[8, 13, 18, 23].map((at) => `${GUID.slice(0, at)}0${GUID.slice(at + 1)}`), // a digit where a dash belongs
      GUID.replace(/-/g, "0"), // 36 hex digits
      `${GUID}0`, // 37 characters
      `${GUID.slice(0, 35)}`, // 35
      `${GUID.slice(0, 7)}-${GUID.slice(7, 8)}${GUID.slice(9)}`, // a dash one place early
    ];
    for (const id of ids) assert.equal(idKey(id, "").toString("hex"), hashForm("id:", id), id);
  });

  it("keeps an Id and a record text with the same characters apart", () => {
    assert.notEqual(idKey("abc", "").toString("hex"), idKey(undefined, "abc").toString("hex"));
    assert.notEqual(idKey(GUID, "").toString("hex"), idKey(undefined, GUID).toString("hex"));
  });
});

/** n distinct keys that share three of their four 32-bit words and differ in word `word`. */
function keysDifferingIn(word: number, n: number, seed: number): Buffer {
  const random = mulberry32(seed);
  const base = Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256)));
  const out = Buffer.alloc(16 * n);
  for (let i = 0; i < n; i++) {
    base.copy(out, 16 * i);
    out.writeUInt32LE(i, 16 * i + 4 * word);
  }
  return out;
}

function keysOf(buf: Uint8Array): Buffer[] {
  const keys: Buffer[] = [];
  for (let at = 0; at + 16 <= buf.length; at += 16) keys.push(Buffer.from(buf.subarray(at, at + 16)));
  return keys;
}

function randomKeys(n: number, seed: number): Buffer {
  const random = mulberry32(seed);
  return Buffer.from(Array.from({ length: 16 * n }, () => Math.floor(random() * 256)));
}

describe("collector/dedupe: KeySet.addMany", () => {
  it("keeps keys that differ in only one of their words (probing compares all four)", () => {
    for (let word = 0; word < 4; word++) {
      const src = keysDifferingIn(word, 4096, 100 + word);
      const set = new KeySet();
      set.addMany(4096, [src]);
      assert.equal(set.size, 4096, `word ${word}`);
      for (const k of keysOf(src)) assert.equal(set.has(k), true, `word ${word}`);
      // and a one-by-one add of the same keys finds each of them
      for (const k of keysOf(src)) assert.equal(set.add(k), false, `word ${word}`);
    }
  });

  it("skips keys already present and keys repeated in the batch", () => {
    const all = keysOf(randomKeys(3000, 7));
    const set = new KeySet(16);
    for (const k of all.slice(0, 1000)) set.add(k);
    // 500 known keys, 2000 new ones, then 1000 of the new ones again
    set.addMany(3000, [Buffer.concat([...all.slice(500, 2500), ...all.slice(1500, 2500)])]);
    assert.equal(set.size, 2500);
    for (const k of all.slice(0, 2500)) assert.equal(set.has(k), true);
    for (const k of all.slice(2500)) assert.equal(set.has(k), false);
    for (const k of all.slice(0, 2500)) assert.equal(set.add(k), false);
    for (const k of all.slice(2500)) assert.equal(set.add(k), true);
    assert.equal(set.size, 3000);
  });

  it("takes a batch far larger than the set was made for, in every hash group", () => {
    const src = randomKeys(20_000, 11);
    const set = new KeySet(4);
    set.addMany(20_000, [src]);
    assert.equal(set.size, 20_000);
    for (const k of keysOf(src)) assert.equal(set.has(k), true);
    assert.equal(set.has(Buffer.alloc(16, 0xee)), false);
  });

  it("reads a batch that does not start on a 4-byte boundary, and drops a partial last key", () => {
    const keys = randomKeys(600, 13);
    for (const skew of [1, 2, 3, 5]) {
      const padded = Buffer.alloc(skew + keys.length + 7);
      keys.copy(padded, skew);
      const set = new KeySet();
      set.addMany(600, [padded.subarray(skew)]);
      assert.equal(set.size, 600, `skew ${skew}`);
      for (const k of keysOf(keys)) assert.equal(set.has(k), true, `skew ${skew}`);
    }
  });

  it("finds keys at any offset of a larger buffer", () => {
    const keys = randomKeys(50, 17);
    const set = new KeySet();
    for (let at = 0; at < keys.length; at += 16) assert.equal(set.add(keys, at), true);
    for (let at = 0; at < keys.length; at += 16) assert.equal(set.has(keys, at), true);
    assert.equal(set.has(keys, 8), false);
    assert.equal(set.size, 50);
  });
});
