// Launches Debian's Chromium for the browser tests (env CHROMIUM overrides the
// path). playwright-core gives it a fresh, temporary --user-data-dir of its own
// (it refuses one in args); the flags keep a headless run off the network.
import { chromium } from 'playwright-core';

export function launchChromium(timeout) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout,
  });
}
