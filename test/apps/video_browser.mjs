// Plays a stored video through an app's own page in headless Chromium; run by
// test/t/054_app_video.pl.
//
//   node video_browser.mjs PAGE_URL [HEADER=VALUE ...]
//
// Opens PAGE_URL (the README's /watch/:id page, one <video>), sends the extra request headers
// given (the test apps' stand-in sign-in, X-User), starts the video muted, waits until
// currentTime has advanced by a second, seeks to 80% of the duration, waits for "seeked" and
// for another second of playback from there, and prints one JSON line:
//   {"duration", "played": {"from", "to"}, "seek": {"target", "seeked", "from", "to"}, "errors"}
// Times are currentTime values in seconds; a step that timed out leaves "to" where it stood.
//
// Chromium is launched as test/cli's browser test does (../cli/chromium.mjs: Debian's chromium
// through playwright-core, installed in test/cli by cli/install-deps.sh).
import { launchChromium } from '../cli/chromium.mjs';

const [pageUrl, ...headerArgs] = process.argv.slice(2);
const headers = Object.fromEntries(headerArgs.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)]));
const errors = [];

const browser = await launchChromium();
try {
  const context = await browser.newContext({ extraHTTPHeaders: headers });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });
  const result = await page.evaluate(async () => {
    const v = document.querySelector('video');
    // resolves true on the event, false after ms
    const event = (name, ms) => new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      v.addEventListener(name, () => { clearTimeout(t); resolve(true); }, { once: true });
    });
    // resolves once currentTime has gone one second past from, or after ms
    const advance = (from, ms) => new Promise((resolve) => {
      const deadline = Date.now() + ms;
      const poll = () => (v.currentTime >= from + 1 || Date.now() > deadline ? resolve(v.currentTime) : setTimeout(poll, 50));
      poll();
    });
    if (v.readyState < 1 && !(await event('loadedmetadata', 20000)))
      return { error: v.error ? `media error ${v.error.code}: ${v.error.message}` : 'no metadata' };
    v.muted = true;
    const played = { from: v.currentTime };
    await v.play();
    played.to = await advance(played.from, 20000);
    const seek = { target: v.duration * 0.8 };
    const seeked = event('seeked', 20000);
    v.currentTime = seek.target;
    seek.seeked = await seeked;
    seek.from = v.currentTime;
    seek.to = await advance(seek.from, 20000);
    v.pause();
    return { duration: v.duration, played, seek,
      error: v.error ? `media error ${v.error.code}: ${v.error.message}` : null };
  });
  console.log(JSON.stringify({ ...result, errors }));
} finally {
  await browser.close();
}
