// Draws images/icon.png (128x128): Julia's three dots on a dark rounded square, above a bar
// standing for a sysimage. No dependencies: pixels are computed here and written with zlib.
//   node scripts/make-icon.mjs [out.png]
import { writeFileSync } from 'fs';
import { deflateSync } from 'zlib';

const size = 128;
const out = process.argv[2] ?? new URL('../images/icon.png', import.meta.url).pathname;

const bg = [0x1e, 0x23, 0x30];
const shapes = [
  { kind: 'circle', cx: 64, cy: 36, r: 19, color: [0x38, 0x98, 0x26] }, // green
  { kind: 'circle', cx: 40, cy: 74, r: 19, color: [0xcb, 0x3c, 0x33] }, // red
  { kind: 'circle', cx: 88, cy: 74, r: 19, color: [0x95, 0x58, 0xb2] }, // purple
  { kind: 'rect', x0: 22, y0: 102, x1: 106, y1: 112, r: 5, color: [0xe8, 0xe8, 0xe8] },
];

function inRoundedRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function sample(x, y) {
  if (!inRoundedRect(x, y, 0, 0, size, size, 22)) return null;
  let c = bg;
  for (const s of shapes) {
    const hit = s.kind === 'circle' ? (x - s.cx) ** 2 + (y - s.cy) ** 2 <= s.r * s.r : inRoundedRect(x, y, s.x0, s.y0, s.x1, s.y1, s.r);
    if (hit) c = s.color;
  }
  return c;
}

const ss = 4; // 4x4 supersampling for smooth edges
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) {
  raw[y * (size * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < size; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let i = 0; i < ss; i++) {
      for (let j = 0; j < ss; j++) {
        const c = sample(x + (i + 0.5) / ss, y + (j + 0.5) / ss);
        if (c) { r += c[0]; g += c[1]; b += c[2]; a++; }
      }
    }
    const o = y * (size * 4 + 1) + 1 + x * 4;
    raw[o] = a ? Math.round(r / a) : 0;
    raw[o + 1] = a ? Math.round(g / a) : 0;
    raw[o + 2] = a ? Math.round(b / a) : 0;
    raw[o + 3] = Math.round((255 * a) / (ss * ss));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(size, 0);
ihdr.writeUInt32BE(size, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
