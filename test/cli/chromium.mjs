// Debian's /usr/bin/chromium (CHROMIUM to override), headless, through playwright-core, which
// never downloads a browser; with the flags that work on the test machines (no sandbox, GPU,
// QUIC or background traffic) and autoplay allowed. Shared by the browser tests: browser.mjs
// (pg_media serve) and ../apps/video_browser.mjs (the README's app routes).
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
}
