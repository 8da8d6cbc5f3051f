// Remembers the record Ids an input has written, for at least 7 days, so that a record the
// service delivers twice (documented in the FAQ: duplicates are expected by design; old records
// re-appear in new blobs) is written once. State is 16 bytes per Id on disk: the GUID's own
// bytes (other Ids: the first 16 bytes of their SHA-256), appended to one file per UTC day of
// writing. Files older than the retention are deleted at load.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendRecords } from "./stateFile";

export const ID_BYTES = 16;
export const DEFAULT_RETENTION_DAYS = 8;

const GUID = /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/;

/** Value of a hex digit's char code, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1; // a-f, A-F
}

/**
 * The bytes of a GUID in the API's own form (36 characters, dashes at 8, 13, 18, 23) without
 * the regular expression and hex round trip (profiled: a twentieth of the pipeline); undefined
 * for any other form.
 */
function canonicalGuidBytes(id: string): Buffer | undefined {
  if (id.length !== 36 || id[8] !== "-" || id[13] !== "-" || id[18] !== "-" || id[23] !== "-") return undefined;
  const out = Buffer.allocUnsafe(ID_BYTES);
  let byte = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = nibble(id.charCodeAt(i));
    const lo = nibble(id.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[byte++] = (hi << 4) | lo;
  }
  return out;
}

/** The 16-byte key of a record Id (or of the record text when it has no Id). */
export function idKey(id: string | undefined, recordText: string): Buffer {
  if (id !== undefined) {
    const fast = canonicalGuidBytes(id);
    if (fast) return fast;
    const m = GUID.exec(id);
    if (m) return Buffer.from(m.slice(1).join("").toLowerCase(), "hex");
    return crypto.createHash("sha256").update("id:" + id).digest().subarray(0, ID_BYTES);
  }
  return crypto.createHash("sha256").update("text:" + recordText).digest().subarray(0, ID_BYTES);
}

// Bulk loads insert keys grouped by the top bits of their hash: 256 groups.
const GROUP_BITS = 8;
const LITTLE_ENDIAN = os.endianness() === "LE";

/** Mixes a key's four 32-bit words: random GUIDs are uniform, but other Ids need not be. */
function hashWords(a: number, b: number, c: number, d: number): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ a, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ b, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ c, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ d, 0x01000193);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Little-endian 32-bit word of buf at offset (what an Int32Array reads on LE machines). */
function wordAt(buf: Uint8Array, offset: number): number {
  return buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16) | (buf[offset + 3] << 24);
}

/**
 * An open-addressing hash set of 16-byte keys held in one growing buffer. A key's slot is the
 * top bits of its hash, so keys inserted in hash order fill the table front to back: `addMany`
 * (the start-up load of millions of Ids) groups keys by the top bits of their hash first and so
 * stays in the CPU cache instead of missing it on every key (profiled: 10 M Ids took 6-12 s one
 * by one).
 */
export class KeySet {
  private keys: Buffer;
  private count = 0; // keys in the set
  private stored = 0; // key storage used; a bulk load leaves gaps and repeats in it, which no slot names
  private slots: Int32Array; // index+1 into keys, 0 = empty
  private mask: number;
  private shift: number; // 32 - log2(slots.length)

  constructor(expected = 1024) {
    let bits = 10;
    while (!roomFor(expected, 1 << bits)) bits++;
    this.slots = new Int32Array(1 << bits);
    this.mask = this.slots.length - 1;
    this.shift = 32 - bits;
    this.keys = alignedBuffer(Math.max(expected, 256) * ID_BYTES);
  }

  get size(): number {
    return this.count;
  }

  has(key: Uint8Array, offset = 0): boolean {
    return this.find(key, offset) >= 0;
  }

  /** Adds the key; returns false when it was already there. */
  add(key: Uint8Array, offset = 0): boolean {
    if (this.find(key, offset) >= 0) return false;
    this.reserve(1);
    const at = this.stored * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) this.keys[at + i] = key[offset + i];
    this.count++;
    this.stored++;
    this.place(this.stored, this.hash(this.keys, at));
    return true;
  }

  /**
   * Adds every whole key of `chunks` (keys already present, or repeated, are skipped), reading
   * each chunk once. `expected` is about how many keys they hold (a bulk load knows it from its
   * file sizes): each hash group gets room for its share plus a little slack, so keys go straight
   * from the chunk to their group (a counting pass over the files was a fifth of the load). Keys
   * that find their group full (too low an estimate, many copies of one key) are added one by one
   * after the others: slower, never lost. `spare` keys more fit in the storage afterwards
   * without growing it: a run adds its new Ids to a set it just loaded, and growing copies every
   * key into a buffer twice the size (160 MB into 320 MB at 10 M Ids). Storage not yet written
   * takes address space, not memory.
   */
  addMany(expected: number, chunks: Iterable<Uint8Array>, spare = 0): void {
    if (!LITTLE_ENDIAN) {
      this.reserveKeys(this.stored + Math.max(0, expected) + spare);
      for (const src of chunks) for (let at = 0; at + ID_BYTES <= src.length; at += ID_BYTES) this.add(src, at);
      return;
    }
    const groups = 1 << GROUP_BITS;
    const share = Math.max(0, expected) / groups;
    // Three standard deviations of a uniform hash's group size: a rare group spills a few keys.
    const room = Math.ceil(share + 3 * Math.sqrt(share)) + 1;
    this.reserveKeys(this.stored + room * groups + spare);
    this.reserveSlots(this.count + expected);
    const base = this.stored;
    const ends = new Int32Array(groups); // next free key index in each group's room
    for (let g = 0; g < groups; g++) ends[g] = base + g * room;
    const keyWords = this.keyWords();
    const spill = new KeySet(16);
    const groupShift = 32 - GROUP_BITS;
    for (const src of chunks) {
      const words = wordsOf(src);
      for (let i = 0; i < words.length; i += 4) {
        const a = words[i];
        const b = words[i + 1];
        const c = words[i + 2];
        const d = words[i + 3];
        const g = hashWords(a, b, c, d) >>> groupShift;
        if (ends[g] === base + (g + 1) * room) {
          spill.add(new Uint8Array(words.buffer, words.byteOffset + i * 4, ID_BYTES));
          continue;
        }
        const w = ends[g]++ * 4;
        keyWords[w] = a;
        keyWords[w + 1] = b;
        keyWords[w + 2] = c;
        keyWords[w + 3] = d;
      }
    }
    let scattered = 0;
    for (let g = 0; g < groups; g++) scattered += ends[g] - (base + g * room);
    this.reserveSlots(this.count + scattered); // grows only when `expected` was too low
    // Group by group: the slots a group hashes to are one contiguous run, which stays in cache.
    for (let g = 0; g < groups; g++) this.insertHeld(keyWords, base + g * room, ends[g]);
    this.stored = ends[groups - 1];
    for (let at = 0; at < spill.stored * ID_BYTES; at += ID_BYTES) this.add(spill.keys, at);
  }

  /**
   * Gives the keys held at indexes [from, to) of the key storage a slot, where they are: moving
   * them together would read and write every key once more. A key already in the set gets none.
   */
  private insertHeld(keyWords: Int32Array, from: number, to: number): void {
    const { slots, mask, shift } = this;
    let added = 0;
    for (let j = from; j < to; j++) {
      const q = j * 4;
      const a = keyWords[q];
      const b = keyWords[q + 1];
      const c = keyWords[q + 2];
      const d = keyWords[q + 3];
      let slot = hashWords(a, b, c, d) >>> shift;
      let duplicate = false;
      for (let entry = slots[slot]; entry !== 0; entry = slots[slot]) {
        const k = (entry - 1) * 4;
        if (keyWords[k] === a && keyWords[k + 1] === b && keyWords[k + 2] === c && keyWords[k + 3] === d) {
          duplicate = true;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (duplicate) continue;
      added++;
      slots[slot] = j + 1;
    }
    this.count += added;
  }

  /** Room for `more` keys: a table at most 70% full, and key storage. */
  private reserve(more: number): void {
    this.reserveSlots(this.count + more);
    this.reserveKeys(this.stored + more);
  }

  private reserveSlots(keys: number): void {
    if (roomFor(keys, this.slots.length)) return;
    let bits = 32 - this.shift;
    while (!roomFor(keys, 1 << bits)) bits++;
    this.rehash(bits);
  }

  private reserveKeys(keys: number): void {
    if (keys * ID_BYTES <= this.keys.length) return;
    const bigger = alignedBuffer(Math.max(this.keys.length * 2, keys * ID_BYTES));
    this.keys.copy(bigger, 0, 0, this.stored * ID_BYTES);
    this.keys = bigger;
  }

  private keyWords(): Int32Array {
    return new Int32Array(this.keys.buffer, this.keys.byteOffset, this.keys.length >> 2);
  }

  private hash(buf: Uint8Array, offset: number): number {
    return hashWords(wordAt(buf, offset), wordAt(buf, offset + 4), wordAt(buf, offset + 8), wordAt(buf, offset + 12));
  }

  private find(key: Uint8Array, offset: number): number {
    let slot = this.hash(key, offset) >>> this.shift;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) return -1;
      const at = (entry - 1) * ID_BYTES;
      let same = true;
      for (let i = 0; i < ID_BYTES; i++) {
        if (this.keys[at + i] !== key[offset + i]) {
          same = false;
          break;
        }
      }
      if (same) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  private place(entry: number, hash: number): void {
    let slot = hash >>> this.shift;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry;
  }

  /** A bigger table with the same entries (read from the old table: the storage has gaps). */
  private rehash(bits: number): void {
    const old = this.slots;
    this.slots = new Int32Array(1 << bits);
    this.mask = this.slots.length - 1;
    this.shift = 32 - bits;
    for (const entry of old) if (entry !== 0) this.place(entry, this.hash(this.keys, (entry - 1) * ID_BYTES));
  }
}

/**
 * Whether `slots` slots hold `keys` keys at most 70% full. Linear probing stays short at that
 * load (about 1.7 probes per hit, 6 per miss), and the slots cost 4 / 0.7 = 5.7 bytes per key at
 * worst instead of 8 at half full: at 10 M Ids, 64 MB of slots instead of 128 MB to allocate.
 */
function roomFor(keys: number, slots: number): boolean {
  return keys * 10 <= slots * 7;
}

/** The whole keys of src as 32-bit words, copied first when src is not 4-byte aligned. */
function wordsOf(src: Uint8Array): Int32Array {
  const whole = src.length - (src.length % ID_BYTES);
  const from = src.byteOffset % 4 === 0 ? src : Uint8Array.from(src.subarray(0, whole));
  return new Int32Array(from.buffer, from.byteOffset, whole >> 2);
}

/** A Buffer on its own ArrayBuffer, so 32-bit views of it are aligned. */
function alignedBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

export interface IdStoreOptions {
  retentionDays?: number;
  now?: () => Date;
}

// A bulk load reads the day files this much at a time (keys are 16 bytes: a whole number of them):
// small enough to stay in the core's own cache while its keys are scattered (measured: 128 KiB
// loaded 10 M Ids faster than 1 MiB).
const LOAD_CHUNK_BYTES = 1 << 17;
// Room left after a load for the Ids a run adds: an eighth of those loaded (a day's share of a
// week), at least 4,096.
const LOAD_SPARE_SHARE = 1 / 8;
const LOAD_SPARE_MIN = 4096;

/**
 * The whole keys of the files, a chunk at a time in `buf`. A kill can leave a partial key at
 * the end of a file: only whole keys are read (the record of a partial one is re-checked).
 */
function* readKeys(files: readonly { file: string; size: number }[], buf: Buffer): Generator<Uint8Array> {
  for (const { file, size } of files) {
    const whole = size - (size % ID_BYTES);
    const fd = fs.openSync(file, "r");
    try {
      for (let at = 0; at < whole; ) {
        const read = fs.readSync(fd, buf, 0, Math.min(buf.length, whole - at), at);
        const keys = read - (read % ID_BYTES);
        if (keys === 0) break; // the file is shorter than its size said
        yield buf.subarray(0, keys);
        at += keys;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The on-disk, per-input store: `<dir>/<YYYY-MM-DD>.ids`, each a run of 16-byte keys. */
export class IdStore {
  private readonly set: KeySet;
  private readonly now: () => Date;

  private constructor(
    private readonly dir: string,
    set: KeySet,
    now: () => Date,
  ) {
    this.set = set;
    this.now = now;
  }

  static load(dir: string, opts: IdStoreOptions = {}): IdStore {
    const now = opts.now ?? (() => new Date());
    const retentionDays = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
    fs.mkdirSync(dir, { recursive: true });
    const oldest = dayName(new Date(now().getTime() - retentionDays * 86_400_000));
    const files: { file: string; size: number }[] = [];
    for (const name of fs.readdirSync(dir)) {
      if (!/^\d{4}-\d{2}-\d{2}\.ids$/.test(name)) continue;
      const file = path.join(dir, name);
      if (name.slice(0, 10) < oldest) fs.rmSync(file, { force: true });
      else files.push({ file, size: fs.statSync(file).size });
    }
    const total = files.reduce((n, f) => n + Math.floor(f.size / ID_BYTES), 0);
    const set = new KeySet();
    set.addMany(total, readKeys(files, alignedBuffer(LOAD_CHUNK_BYTES)), Math.max(LOAD_SPARE_MIN, Math.ceil(total * LOAD_SPARE_SHARE)));
    return new IdStore(dir, set, now);
  }

  get size(): number {
    return this.set.size;
  }

  has(key: Uint8Array): boolean {
    return this.set.has(key);
  }

  /** Remembers keys in memory only; `persist` writes them. Returns false for a key already known. */
  remember(key: Uint8Array): boolean {
    return this.set.add(key);
  }

  /**
   * Appends keys (already remembered) to today's file. Call after their events were written.
   * Throws StateWriteError unless every byte reached the file.
   */
  persist(keys: readonly Uint8Array[]): void {
    if (keys.length === 0) return;
    const file = path.join(this.dir, `${dayName(this.now())}.ids`);
    appendRecords(file, Buffer.concat(keys as Uint8Array[], keys.length * ID_BYTES), ID_BYTES);
  }
}

function dayName(d: Date): string {
  return d.toISOString().slice(0, 10);
}
