// Browser check of `pg_media serve`, driven by test/t/052_cli_browser.pl.
//
//   node browser.mjs BASE_URL SPEC_JSON SCREENSHOT_PNG
//
// SPEC_JSON: {"images": [id, ...], "videos": [id, ...]}.  Opens a page on the
// server's origin (the page itself is supplied by request interception, so the
// server needs no route for it), with one <img> per image and one <video> per
// video, waits for every image to decode, seeks each video to the middle (the
// browser then asks for byte ranges: 206), takes a screenshot and prints one
// JSON line: {"images": {id: {w, h}}, "videos": {id: {...}}, "errors": [...]}.
//
// Uses Debian's /usr/bin/chromium (CHROMIUM to override) through playwright-core,
// which never downloads a browser.
import { launchChromium } from './chromium.mjs';

const [base, specJson, screenshot] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const errors = [];

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

  const imgs = spec.images.map((id) => `<figure><img id="img${id}" src="/media/${id}" alt="file ${id}"><figcaption>/media/${id}</figcaption></figure>`);
  const vids = spec.videos.map((id) => `<figure><video id="vid${id}" src="/media/${id}" preload="auto" muted playsinline width="320"></video><figcaption>/media/${id}</figcaption></figure>`);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>pg_media serve</title>
<style>body{font:14px sans-serif;margin:16px} figure{display:inline-block;margin:8px;vertical-align:top;border:1px solid #ccc;padding:4px} img{max-width:300px;image-rendering:pixelated}</style>
</head><body><h1>pg_media serve: images and videos</h1>${imgs.join('')}${vids.join('')}</body></html>`;
  const pageUrl = `${base}/__browser_test_page__`;
  await page.route(pageUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });

  const images = {};
  for (const id of spec.images) {
    const size = await page.evaluate(async (id) => {
      const img = document.getElementById(`img${id}`);
      try { await img.decode(); } catch (e) { return { w: 0, h: 0, error: String(e) }; }
      return { w: img.naturalWidth, h: img.naturalHeight };
    }, id);
    images[id] = size;
  }

  const videos = {};
  for (const id of spec.videos) {
    videos[id] = await page.evaluate(async (id) => {
      const v = document.getElementById(`vid${id}`);
      const wait = (ev, ms) => new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        v.addEventListener(ev, () => { clearTimeout(t); resolve(true); }, { once: true });
      });
      if (v.readyState < 1 && !(await wait('loadedmetadata', 15000)))
        return { error: v.error ? `media error ${v.error.code}` : 'no metadata' };
      const duration = v.duration;
      const target = Number.isFinite(duration) ? duration / 2 : 0.5;
      const seeked = wait('seeked', 15000);
      v.currentTime = target;
      const ok = await seeked;
      return { duration, target, currentTime: v.currentTime, seeked: ok,
        width: v.videoWidth, height: v.videoHeight, readyState: v.readyState,
        error: v.error ? `media error ${v.error.code}` : null };
    }, id);
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ images, videos, errors }));
} finally {
  await browser.close();
}
