// Remembers the record Ids an input has written, for at least 7 days, so that a record the
// service delivers twice (documented in the FAQ: duplicates are expected by design; old records
// re-appear in new blobs) is written once. State is 16 bytes per Id on disk: the GUID's own
// bytes (other Ids: the first 16 bytes of their SHA-256), appended to one file per UTC day of
// writing. Files older than the retention are deleted at load.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const ID_BYTES = 16;
export const DEFAULT_RETENTION_DAYS = 8;

const GUID = /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/;

/** The 16-byte key of a record Id (or of the record text when it has no Id). */
export function idKey(id: string | undefined, recordText: string): Buffer {
  if (id !== undefined) {
    const m = GUID.exec(id);
    if (m) return Buffer.from(m.slice(1).join("").toLowerCase(), "hex");
    return crypto.createHash("sha256").update("id:" + id).digest().subarray(0, ID_BYTES);
  }
  return crypto.createHash("sha256").update("text:" + recordText).digest().subarray(0, ID_BYTES);
}

/** An open-addressing hash set of 16-byte keys held in one growing buffer. */
export class KeySet {
  private keys: Buffer;
  private count = 0;
  private slots: Int32Array; // index+1 into keys, 0 = empty
  private mask: number;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.keys = Buffer.allocUnsafe(Math.max(expected, 256) * ID_BYTES);
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
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    if ((this.count + 1) * ID_BYTES > this.keys.length) {
      const bigger = Buffer.allocUnsafe(this.keys.length * 2);
      this.keys.copy(bigger, 0, 0, this.count * ID_BYTES);
      this.keys = bigger;
    }
    const at = this.count * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) this.keys[at + i] = key[offset + i];
    this.count++;
    this.place(this.count, this.hash(this.keys, at));
    return true;
  }

  private hash(buf: Uint8Array, offset: number): number {
    // Mix all four words: random GUIDs are uniform, but other Ids need not be.
    let h = 0x811c9dc5;
    for (let i = 0; i < ID_BYTES; i += 4) {
      const w = buf[offset + i] | (buf[offset + i + 1] << 8) | (buf[offset + i + 2] << 16) | (buf[offset + i + 3] << 24);
      h = Math.imul(h ^ w, 0x01000193);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }

  private find(key: Uint8Array, offset: number): number {
    let slot = this.hash(key, offset) & this.mask;
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
    let slot = hash & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 1; e <= this.count; e++) this.place(e, this.hash(this.keys, (e - 1) * ID_BYTES));
  }
}

export interface IdStoreOptions {
  retentionDays?: number;
  now?: () => Date;
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
    const set = new KeySet(total + 1024);
    for (const { file } of files) {
      const buf = fs.readFileSync(file);
      // A kill can leave a partial key at the end of a file: ignore it (its record is re-checked).
      const whole = buf.length - (buf.length % ID_BYTES);
      for (let at = 0; at < whole; at += ID_BYTES) set.add(buf, at);
    }
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

  /** Appends keys (already remembered) to today's file. Call after their events were written. */
  persist(keys: readonly Uint8Array[]): void {
    if (keys.length === 0) return;
    const file = path.join(this.dir, `${dayName(this.now())}.ids`);
    const buf = Buffer.concat(keys as Uint8Array[], keys.length * ID_BYTES);
    const fd = fs.openSync(file, "a");
    try {
      // A partial key left by a kill would misalign every key after it: cut it off first.
      const size = fs.fstatSync(fd).size;
      if (size % ID_BYTES !== 0) fs.ftruncateSync(fd, size - (size % ID_BYTES));
      fs.writeSync(fd, buf);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function dayName(d: Date): string {
  return d.toISOString().slice(0, 10);
}
