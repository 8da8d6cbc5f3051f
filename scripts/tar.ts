// A minimal POSIX ustar writer and reader (POSIX.1-1988 "ustar Interchange Format", as GNU tar's
// `--format ustar` writes it): 512-byte headers, octal numeric fields, name split into
// prefix (155) + name (100), directories with type '5' and a trailing '/'. Only what an app
// archive needs: regular files and directories.

export interface TarEntry {
  /** Path inside the archive, `/`-separated, directories ending with `/`. */
  path: string;
  /** Permission bits, e.g. 0o755. */
  mode: number;
  /** undefined for a directory. */
  data?: Buffer;
  /** Seconds since the epoch. */
  mtime: number;
}

export interface TarHeaderInfo extends TarEntry {
  type: string;
  uid: number;
  gid: number;
  magic: string;
  checksumOk: boolean;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** Splits a path into ustar's prefix and name fields; throws when it cannot fit. */
function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  const cut = path.lastIndexOf("/", path.length - 2);
  for (let i = cut; i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`path too long for ustar: ${path}`);
}

function header(entry: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const [prefix, name] = splitPath(entry.path);
  const isDir = entry.data === undefined;
  h.write(name, 0, 100, "utf8");
  h.write(octal(entry.mode & 0o7777, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(isDir ? 0 : entry.data!.length, 12), 124, "ascii");
  h.write(octal(Math.floor(entry.mtime), 12), 136, "ascii");
  h.write("        ", 148, "ascii"); // checksum counts as spaces while summing
  h.write(isDir ? "5" : "0", 156, "ascii");
  h.write("ustar\u000000", 257, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  return h;
}

/** The uncompressed tar stream: entries in the order given, then two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    if (entry.data) {
      parts.push(entry.data);
      const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function field(h: Buffer, offset: number, length: number): string {
  const raw = h.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString("utf8");
}

function number(h: Buffer, offset: number, length: number): number {
  return parseInt(field(h, offset, length).trim() || "0", 8);
}

/** Reads every header of a tar stream (ustar or GNU), with raw fields for checks. */
export function readTar(tar: Buffer): TarHeaderInfo[] {
  const out: TarHeaderInfo[] = [];
  let pos = 0;
  while (pos + BLOCK <= tar.length) {
    const h = tar.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const name = field(h, 0, 100);
    const prefix = field(h, 345, 155);
    const size = number(h, 124, 12);
    const type = field(h, 156, 1) || "0";
    const body = tar.subarray(pos + BLOCK, pos + BLOCK + size);
    out.push({
      path: prefix ? `${prefix}/${name}` : name,
      mode: number(h, 100, 8),
      uid: number(h, 108, 8),
      gid: number(h, 116, 8),
      mtime: number(h, 136, 12),
      type,
      magic: field(h, 257, 6),
      checksumOk: sum === number(h, 148, 8),
      data: type === "5" ? undefined : Buffer.from(body),
    });
    pos += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}
