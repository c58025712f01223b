// tus upload from headless Chromium with tus-js-client, driven by test/t/055_cli_tus.pl.
//
//   node tus_browser.mjs BASE_URL BYTES
//
// Opens a page on the server's origin (supplied by request interception, as
// browser.mjs does, so the upload is same-origin), loads tus-js-client's
// browser build into it, makes a Blob of BYTES pseudo-random bytes and
// uploads it to BASE_URL/uploads/ in PATCHes of 1 MiB with the bearer token
// of PG_MEDIA_UPLOAD_TOKEN.  Prints one JSON line:
// {"fileId": "...", "sha256": "<hex of the Blob>", "patches": N, "errors": [...]}.
import { createRequire } from 'node:module';
import { launchChromium } from './chromium.mjs';

const [base, bytes] = process.argv.slice(2);
const tusBundle = createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js');
const errors = [];
let result = {};

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  const pageUrl = `${base}/__tus_test_page__`;
  await page.route(pageUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html',
    body: '<!doctype html><html><head><meta charset="utf-8"><title>tus</title></head><body></body></html>' }));
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });
  await page.addScriptTag({ path: tusBundle });
  result = await page.evaluate(async ({ size, token }) => {
    const data = new Uint8Array(size);
    let s = 12345;
    for (let i = 0; i < size; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[i] = s >>> 24;
    }
    const blob = new Blob([data], { type: 'application/octet-stream' });
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    let fileId = null;
    let patches = 0;
    await new Promise((resolve, reject) => {
      const upload = new tus.Upload(blob, {
        endpoint: '/uploads/',
        chunkSize: 1048576,
        metadata: { filename: 'from-the-browser.bin', filetype: 'application/x-test' },
        headers: { Authorization: `Bearer ${token}` },
        retryDelays: [200, 1000],
        onAfterResponse(req, res) {
          if (req.getMethod() === 'PATCH') patches++;
          if (res.getHeader('Upload-File-Id')) fileId = res.getHeader('Upload-File-Id');
        },
        onSuccess: resolve,
        onError: reject,
      });
      upload.start();
    });
    return { fileId, sha256, patches };
  }, { size: Number(bytes), token: process.env.PG_MEDIA_UPLOAD_TOKEN });
} catch (e) {
  errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ ...result, errors }));
