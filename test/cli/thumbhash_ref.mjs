// The reference ThumbHash (npm "thumbhash") for test/unit/test_thumbhash.c:
//   node thumbhash_ref.mjs encode W H FILE   prints the hash of the raw RGBA pixels in FILE, in hex
//   node thumbhash_ref.mjs decode HEX        prints "W H" and the decoded RGBA pixels, in hex
import { readFileSync } from 'node:fs';
import { rgbaToThumbHash, thumbHashToRGBA } from 'thumbhash';

const [mode, ...args] = process.argv.slice(2);
const hex = (bytes) => Buffer.from(bytes).toString('hex');
if (mode === 'encode') {
  const [w, h, file] = args;
  console.log(hex(rgbaToThumbHash(+w, +h, new Uint8Array(readFileSync(file)))));
} else if (mode === 'decode') {
  const { w, h, rgba } = thumbHashToRGBA(Buffer.from(args[0], 'hex'));
  console.log(`${w} ${h} ${hex(rgba)}`);
} else {
  process.exit(2);
}
