// The reference ThumbHash (npm "thumbhash") for test/unit/test_thumbhash.c:
//   node thumbhash_ref.mjs encode W H FILE   prints the hash of the raw RGBA pixels in FILE, in hex
//   node thumbhash_ref.mjs decode HEX        prints "W H" and the decoded RGBA pixels, in hex
//   node thumbhash_ref.mjs compare FILE      for test/t/042_placeholders.pl: FILE has lines
//       "LABEL<tab>HASH<tab>URL" (HASH a base64 ThumbHash, URL the PNG data URL pg_media rendered
//       it as); prints "LABEL W H MAXDIFF": the reference's decode of HASH, and the largest
//       difference of any RGBA byte of the PNG from it ("LABEL size ..." when the sizes differ)
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { rgbaToThumbHash, thumbHashToRGBA } from 'thumbhash';

const [mode, ...args] = process.argv.slice(2);
const hex = (bytes) => Buffer.from(bytes).toString('hex');
if (mode === 'encode') {
  const [w, h, file] = args;
  console.log(hex(rgbaToThumbHash(+w, +h, new Uint8Array(readFileSync(file)))));
} else if (mode === 'decode') {
  const { w, h, rgba } = thumbHashToRGBA(Buffer.from(args[0], 'hex'));
  console.log(`${w} ${h} ${hex(rgba)}`);
} else if (mode === 'compare') {
  for (const line of readFileSync(args[0], 'utf8').split('\n').filter(Boolean)) {
    const [label, hash, url] = line.split('\t');
    const ref = thumbHashToRGBA(Buffer.from(hash, 'base64'));
    const png = decodePng(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
    if (png.w !== ref.w || png.h !== ref.h) {
      console.log(`${label} size ${ref.w}x${ref.h} ${png.w}x${png.h}`);
      continue;
    }
    let maxdiff = 0;
    for (let i = 0; i < ref.rgba.length; i++) maxdiff = Math.max(maxdiff, Math.abs(ref.rgba[i] - png.rgba[i]));
    console.log(`${label} ${png.w} ${png.h} ${maxdiff}`);
  }
} else {
  process.exit(2);
}

// The RGBA pixels of an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB or RGBA), as pg_media writes them.
function decodePng(buf) {
  let pos = 8, w = 0, h = 0, type = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), kind = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      w = data.readUInt32BE(0); h = data.readUInt32BE(4); type = data[9];
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs');
    } else if (kind === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const nch = { 0: 1, 4: 2, 2: 3, 6: 4 }[type];
  const raw = inflateSync(Buffer.concat(idat)), stride = w * nch;
  const px = Buffer.alloc(stride * h), rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= nch ? px[y * stride + x - nch] : 0, b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= nch && y > 0 ? px[(y - 1) * stride + x - nch] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      px[y * stride + x] = (row[x] + pred) & 255;
    }
  }
  for (let i = 0; i < w * h; i++) {
    const s = px.subarray(i * nch, i * nch + nch);
    rgba.set(nch >= 3 ? [s[0], s[1], s[2], nch === 4 ? s[3] : 255] : [s[0], s[0], s[0], nch === 2 ? s[1] : 255], i * 4);
  }
  return { w, h, rgba };
}
