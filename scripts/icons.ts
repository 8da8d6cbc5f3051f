// Draws the app icons (static/appIcon*.png, 36x36 and 72x72 as app.conf.spec asks) as RGBA PNGs
// with node's zlib: a blue shield with a white envelope. Run `npx tsx scripts/icons.ts` after a
// change; the PNGs are committed so the build does not need this.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

type Rgba = [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG (8-bit RGBA, no interlace) from a pixel function. */
export function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1); // each row starts with filter type 0
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** Shield outline in unit coordinates: flat top, straight sides, curved point at the bottom. */
function inShield(u: number, v: number): boolean {
  if (v < 0.08 || v > 0.94) return false;
  const half = v < 0.5 ? 0.4 : 0.4 * Math.sqrt(Math.max(0, 1 - ((v - 0.5) / 0.44) ** 2));
  return Math.abs(u - 0.5) <= half;
}

/** An envelope: a rectangle outline with the flap's V. */
function inEnvelope(u: number, v: number, stroke: number): boolean {
  const [l, r, t, b] = [0.3, 0.7, 0.32, 0.6];
  if (u < l - stroke || u > r + stroke || v < t - stroke || v > b + stroke) return false;
  const edge = Math.abs(u - l) < stroke || Math.abs(u - r) < stroke || Math.abs(v - t) < stroke || Math.abs(v - b) < stroke;
  const flap = Math.abs(v - (t + (0.5 - Math.abs(u - 0.5)) * 0.6)) < stroke;
  return edge || flap;
}

function shieldIcon(size: number, shield: Rgba, mark: Rgba): Buffer {
  const samples = 4; // 4x4 supersampling for smooth edges
  return png(size, (x, y) => {
    let cover = 0;
    let marked = 0;
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < samples; j++) {
        const u = (x + (i + 0.5) / samples) / size;
        const v = (y + (j + 0.5) / samples) / size;
        if (!inShield(u, v)) continue;
        cover++;
        if (inEnvelope(u, v, 0.035)) marked++;
      }
    }
    if (cover === 0) return [0, 0, 0, 0];
    const m = marked / cover;
    const mix = (k: number): number => Math.round(shield[k] * (1 - m) + mark[k] * m);
    return [mix(0), mix(1), mix(2), Math.round((255 * cover) / samples ** 2)];
  });
}

if (require.main === module) {
  const dir = path.join(__dirname, "..", "static");
  const blue: Rgba = [0, 99, 177, 255];
  const white: Rgba = [255, 255, 255, 255];
  const grey: Rgba = [92, 96, 102, 255];
  fs.writeFileSync(path.join(dir, "appIcon.png"), shieldIcon(36, blue, white));
  fs.writeFileSync(path.join(dir, "appIcon_2x.png"), shieldIcon(72, blue, white));
  fs.writeFileSync(path.join(dir, "appIconAlt.png"), shieldIcon(36, grey, white));
  fs.writeFileSync(path.join(dir, "appIconAlt_2x.png"), shieldIcon(72, grey, white));
}
