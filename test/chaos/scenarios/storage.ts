/**
 * Storage trouble, honestly: the relay's data folder is a size-limited tmpfs that a filler file
 * fills up, so SQLite meets a real ENOSPC (chmod would not stop root). [P12]: the relay stops
 * acknowledging, says why (4503), keeps serving reads, and takes writes again once space is back;
 * nothing acknowledged is lost. Then damaged database files at start: the relay must refuse them
 * by name instead of starting empty.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationDoc, protocol } from '@parley/core';
import { startRelayProcess, type RelayProcess } from '../../helpers/relay-process.js';
import { figure, mustBeAll, mustEqual, type Figure } from '../figures.js';
import { messageIds, readFromRelay, startPeer, type Peer } from '../peers.js';
import { eventually, isAlive } from '../probes.js';

const S = 'storage trouble';

/** A tmpfs of `mib` MiB; throws with the reason when this machine does not allow mounting. */
export function mountSmallDisk(mib: number): { dir: string; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the storage-trouble scenario needs a size-limited tmpfs (root and mount permission): ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a file until the disk is full; returns its path (delete it to free the space). */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last partial chunk: take every byte left.
    try {
      for (;;) writeSync(fd, Buffer.alloc(512, 1));
    } catch {
      /* full */
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

export async function storageTrouble(cfg: { messages: number }): Promise<Figure[]> {
  const disk = mountSmallDisk(16);
  let relay: RelayProcess | undefined;
  let peer: Peer | undefined;
  try {
    relay = await startRelayProcess({ dataDir: disk.dir });
    const doc = conversationDoc('acme', 'c1', 'disk');
    peer = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('customer', 'acme', 'c1'), doc, me: { role: 'customer', id: 'c1', name: 'c1' } });
    const storageErrors: number[] = [];
    peer.client.on('error', (_err, ctx) => {
      if (ctx.code === protocol.Code.storageUnavailable) storageErrors.push(ctx.code);
    });
    await peer.handle.whenSynced;
    for (let i = 0; i < cfg.messages; i++) peer.send(`before ${i}`);
    await eventually(() => peer!.acked().size === cfg.messages, 'messages before the disk fills to be acknowledged');
    const ackedBefore = peer.acked();

    const filler = fillDisk(disk.dir);
    // Enough writes that SQLite must grow the WAL into the full disk.
    const during: string[] = [];
    for (let i = 0; i < cfg.messages; i++) during.push(peer.send(`during ${i} `.padEnd(4000, '.')));
    await eventually(() => storageErrors.length > 0, 'a 4503 from the relay', 20_000);
    const ackedWhileFull = during.filter((id) => peer!.acked().has(id)).length;
    const agentToken = await relay.token('agent', 'acme', 'reader');
    const readable = new Set(messageIds(await readFromRelay(relay.wsUrl, agentToken, doc)));
    const readsWhileFull = [...ackedBefore].filter((id) => readable.has(id)).length;
    const aliveWhileFull = isAlive(relay.pid);

    rmSync(filler);
    const healed = performance.now();
    await eventually(() => during.every((id) => peer!.acked().has(id)), 'writes to be acknowledged again once space is back', 60_000, 50);
    const resumeMs = performance.now() - healed;
    await relay.stop();
    await relay.restart();
    const stored = new Set(messageIds(await readFromRelay(relay.wsUrl, agentToken, doc)));
    const lost = [...peer.acked()].filter((id) => !stored.has(id)).length;
    await peer.close();
    peer = undefined;
    await relay.stop();

    const refusals = await damagedFiles(relay.dataDir);
    return [
      figure(S, 'relay told the writer why (4503 errors received)', storageErrors.length, { mustBe: '> 0', ok: storageErrors.length > 0 }),
      mustEqual(S, 'messages acknowledged while the disk was full', ackedWhileFull, 0),
      mustBeAll(S, 'acknowledged messages readable while the disk was full', readsWhileFull, ackedBefore.size),
      figure(S, 'relay alive while the disk was full', aliveWhileFull ? 'yes' : 'NO', { mustBe: 'yes', ok: aliveWhileFull }),
      figure(S, 'time from space freed to every pending message acknowledged', resumeMs, { unit: 'ms' }),
      mustEqual(S, 'acknowledged but lost (after restart)', lost, 0),
      mustBeAll(S, 'damaged database files refused at start with a message naming the file', refusals.refused, refusals.tried),
    ];
  } finally {
    await peer?.close();
    await relay?.kill();
    disk.unmount();
  }
}

/** Truncated and overwritten copies of a real database: each start must fail and say which file. */
async function damagedFiles(dataDir: string): Promise<{ tried: number; refused: number }> {
  const file = join(dataDir, 'parley.sqlite');
  const size = statSync(file).size;
  const damages: [string, () => void][] = [
    ['truncated to half', () => truncateSync(file, Math.floor(size / 2 / 4096) * 4096 + 100)],
    [
      'pages overwritten with garbage',
      () => {
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 4096);
        closeSync(fd);
      },
    ],
    [
      'header overwritten',
      () => {
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.alloc(100, 'not a database '), 0, 100, 0);
        closeSync(fd);
      },
    ],
  ];
  let refused = 0;
  const pristine = `${file}.pristine`;
  copyFileSync(file, pristine);
  for (const [, damage] of damages) {
    copyFileSync(pristine, file);
    damage();
    try {
      const relay = await startRelayProcess({ dataDir, startTimeoutMs: 20_000 });
      await relay.kill();
    } catch (err) {
      if (String((err as Error).message).includes(file)) refused++;
    }
  }
  return { tried: damages.length, refused };
}
