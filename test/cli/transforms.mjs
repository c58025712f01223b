// Transform URLs of `pg_media serve` in a browser, driven by test/t/056_cli_signed.pl.
//
//   node transforms.mjs BASE_URL SPEC_JSON
//
// SPEC_JSON: {"images": {"name": "/media/1/w_320,h_320,c_cover,f_auto?...", ...},
// "srcset": [URL_1X, URL_2X]}.  Opens a page on the server's origin (supplied by request
// interception) at device scale 2, with one <img> per image and one <img srcset="URL_1X 1x,
// URL_2X 2x">, waits for each to decode and prints one JSON line: {"images": {name: {w, h,
// type}}, "srcset": {w, h, src}, "errors": [...]}, type being the Content-Type the browser
// received (so f_auto's choice for Chromium's Accept); a srcset image's natural size is its
// pixels divided by the density of the candidate taken, src that candidate.
import { launchChromium } from './chromium.mjs';

const [base, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const urls = spec.images;
const names = Object.keys(urls);
const errors = [];
const types = {};

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 2 });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('response', (r) => { types[new URL(r.url()).pathname + new URL(r.url()).search] = r.headers()['content-type']; });
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const imgs = names.map((n) => `<img id="${esc(n)}" src="${esc(urls[n])}" alt="${esc(n)}">`);
  const srcset = spec.srcset
    ? `<img id="__srcset" srcset="${esc(spec.srcset[0])} 1x, ${esc(spec.srcset[1])} 2x" alt="srcset">` : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>transforms</title></head>
<body>${imgs.join('')}${srcset}</body></html>`;
  const pageUrl = `${base}/__transform_test_page__`;
  await page.route(pageUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });

  const decoded = async (id) => page.evaluate(async (id) => {
    const img = document.getElementById(id);
    try { await img.decode(); } catch (e) { return { w: 0, h: 0, error: String(e) }; }
    return { w: img.naturalWidth, h: img.naturalHeight, src: img.currentSrc };
  }, id);
  const images = {};
  for (const n of names) {
    images[n] = await decoded(n);
    images[n].type = types[urls[n]] || null;
  }
  const set = srcset ? await decoded('__srcset') : null;
  console.log(JSON.stringify({ images, srcset: set, errors }));
} finally {
  await browser.close();
}
