import { chromium, type Browser } from 'playwright-core';
import { vi } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's Chromium (apt-get install chromium); Playwright's own download cannot run here. */
export const chromiumPath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: run 'apt-get update && apt-get install -y chromium' or set PARLEY_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * A browser test's steps each wait up to Playwright's own 30 s; the test's budget must be larger, or a
 * step that is slow on a loaded 2-core CI machine ends in vitest's bare "timed out in 30000ms" instead
 * of Playwright's error naming the locator it waited for. Called by the suites that start Chromium.
 */
export function allowBrowserTestTime(): void {
  vi.setConfig({ testTimeout: 90_000 });
}

/** Screenshots land in test/artifacts/screenshots (git-ignored) so a run's states can be looked at. */
export function screenshotPath(name: string): string {
  const dir = join(import.meta.dirname, '..', 'artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
