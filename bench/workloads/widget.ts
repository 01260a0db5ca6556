/**
 * Workload 6: what a customer's browser pays for the widget on the demo page the relay serves at /.
 * Headless Chromium loads the page in a fresh context each time (empty cache, a first visit) and
 * reads the widget's own `parley:launcher-visible` mark against the start of the widget.js request;
 * the first load also opens the panel, which fetches the lazy connection chunk. Bytes are every
 * script the relay served for that, gzipped at level 9 (the relay sends them uncompressed; a CDN
 * in front would compress them).
 */
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { metric, noteAll, withServer, type Context, type WorkloadResult } from './context.js';

const LOADS = { quick: 3, full: 9 };
const BUDGET = '≤ 70 KB';
const CRISP_NOTE = "6 widget: Crisp's published loader size, 130–232 KB, is a static reference for the first-open row, not measured by this benchmark.";
const OPEN_TIMEOUT_MS = 30_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function widgetWorkload(ctx: Context): Promise<WorkloadResult> {
  const w = '6 widget';
  const loads = ctx.quick ? LOADS.quick : LOADS.full;
  const entry = metric(w, '/widget.js gzipped (paints the launcher)', 'KB', 'lower', '≤ 30 KB');
  const firstOpen = metric(w, 'first open: /widget.js + lazy chunks it loads, gzipped', 'KB', 'lower', `${BUDGET} (Crisp 130–232 KB, published, not measured)`);
  const launcher = metric(w, `script tag → launcher visible, headless Chromium (median of ${loads} cold loads)`, 'ms', 'lower');
  const metrics = [entry, firstOpen, launcher];
  const notes: string[] = [];
  for (const s of ctx.servers) if (!s.id.startsWith('parley')) noteAll(metrics, s.id, 'n/a (no widget)');
  const parleys = ctx.servers.filter((s) => s.id.startsWith('parley'));
  if (!parleys.length) return { metrics };
  const set = (m: typeof entry, value: number): void => {
    for (const s of parleys) m.values[s.id] = value;
  };
  const noteParley = (m: typeof entry, note: string): void => {
    for (const s of parleys) m.notes[s.id] = note;
  };

  await withServer(ctx, parleys[0]!, async (server) => {
    const res = await fetch(`${server.httpBase}/widget.js`);
    const body = Buffer.from(await res.arrayBuffer());
    if (!res.ok || !/javascript/.test(res.headers.get('content-type') ?? '')) {
      for (const m of metrics) noteParley(m, 'n/a (widget not built)');
      return;
    }
    set(entry, gzipSync(body, { level: 9 }).length / 1024);
    // Playwright only for this workload: the others should not pay for loading it.
    const { chromiumPath, launchChromium } = await import('../../test/helpers/browser.js');
    if (!existsSync(chromiumPath)) {
      noteParley(firstOpen, `n/a (no Chromium at ${chromiumPath})`);
      noteParley(launcher, `n/a (no Chromium at ${chromiumPath})`);
      return;
    }
    const browser = await launchChromium();
    const times: number[] = [];
    let scripts: string[] = [];
    try {
      for (let i = 0; i < loads; i++) {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          const served = new Set<string>();
          page.on('response', (r) => {
            if (r.request().resourceType() === 'script' && r.url().startsWith(server.httpBase)) served.add(r.url());
          });
          await page.goto(`${server.httpBase}/`);
          await page.locator('parley-chat .launcher').waitFor({ timeout: OPEN_TIMEOUT_MS });
          times.push(
            await page.evaluate(() => {
              const script = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/widget.js');
              const mark = performance.getEntriesByName('parley:launcher-visible')[0];
              if (!script || !mark) throw new Error('no widget.js resource entry or no parley:launcher-visible mark');
              return mark.startTime - script.startTime;
            }),
          );
          if (i === 0) {
            // First open: the click makes the widget import its connection chunk (core, Yjs, IndexedDB).
            await page.locator('parley-chat .launcher').click();
            await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /\/widget-chunks\/connect-/.test(e.name)), undefined, { timeout: OPEN_TIMEOUT_MS });
            scripts = [...served];
          }
        } finally {
          await context.close();
        }
      }
    } finally {
      await browser.close();
    }
    let total = 0;
    const parts: string[] = [];
    for (const url of scripts) {
      const gz = gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer()), { level: 9 }).length;
      total += gz;
      parts.push(`${new URL(url).pathname} ${(gz / 1024).toFixed(1)} KB`);
    }
    set(firstOpen, total / 1024);
    set(launcher, median(times));
    ctx.log(`  first open ${(total / 1024).toFixed(1)} KB gz (${parts.join(' + ')}); launcher ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    notes.push(`6 widget: first open loads ${parts.join(' + ')} (gzip -9); launcher times of the ${loads} loads: ${times.map((t) => t.toFixed(0)).join(', ')} ms.`);
  });
  notes.push(CRISP_NOTE);
  return { metrics, notes };
}
