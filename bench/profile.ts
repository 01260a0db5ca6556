/**
 * Summaries of the `.cpuprofile` files `--profile` collects: the functions with the most self time,
 * per profile. Self time is where the CPU actually went (a caller's total hides which callee was slow).
 * Also runnable alone: `node --import tsx bench/profile.ts [--from=3 --to=9] <file or folder>...` (seconds
 * after the profile started: the load phase without module loading).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/** The parts of V8's Profile (Chrome DevTools protocol) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  name: string;
  /** file:line, shortened to the repository or node_modules package */
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** sampled time, idle excluded */
  busyMs: number;
  wallMs: number;
  top: HotFunction[];
}

const NOT_WORK = new Set(['(idle)', '(program)', '(garbage collector)']);

function shorten(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith(root) ? relative(root, path) : path || '(native)';
}

/** Only samples between `fromMs` and `toMs` after the profile started (e.g. the load phase, not module loading). */
export interface ProfileWindow {
  fromMs?: number;
  toMs?: number;
}

export function summariseProfile(file: string, root: string, limit = 25, window: ProfileWindow = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const from = (window.fromMs ?? 0) * 1000;
  const to = (window.toMs ?? Infinity) * 1000;
  let at = 0;
  // A sample's time is the gap to the next sample (V8 records the delta before each sample).
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (at < from || at > to) continue;
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + dt);
  }
  const byFunction = new Map<string, HotFunction>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byNode.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    busyUs += us;
    const where = frame.url ? `${shorten(frame.url, root)}:${frame.lineNumber + 1}` : NOT_WORK.has(name) ? '' : '(native)';
    const key = `${name} ${where}`;
    const f = byFunction.get(key) ?? { name, where, selfMs: 0, share: 0 };
    f.selfMs += us / 1000;
    byFunction.set(key, f);
  }
  const top = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, limit);
  for (const f of top) f.share = busyUs > 0 ? (f.selfMs * 1000) / busyUs : 0;
  const wallUs = Math.min(to, profile.endTime - profile.startTime) - Math.min(from, profile.endTime - profile.startTime);
  return { file, busyMs: busyUs / 1000, wallMs: wallUs / 1000, top };
}

export function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (!statSync(p).isDirectory()) return p.endsWith('.cpuprofile') ? [p] : [];
    return profileFiles(readdirSync(p).map((f) => join(p, f)));
  });
}

export function renderProfiles(summaries: ProfileSummary[], root: string): string {
  const out: string[] = ['# CPU profiles (self time, idle excluded)', ''];
  for (const s of summaries) {
    out.push(`## ${relative(root, s.file) || basename(s.file)}`, '', `busy ${s.busyMs.toFixed(0)} ms of ${s.wallMs.toFixed(0)} ms wall`, '');
    out.push('| self ms | share | function | where |', '|---|---|---|---|');
    for (const f of s.top) out.push(`| ${f.selfMs.toFixed(1)} | ${(100 * f.share).toFixed(1)}% | ${f.name} | ${f.where} |`);
    out.push('');
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..');
  const args = process.argv.slice(2);
  const seconds = (flag: string): number | undefined => {
    const v = args.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1];
    return v === undefined ? undefined : Number(v) * 1000;
  };
  const window: ProfileWindow = { ...(seconds('from') !== undefined ? { fromMs: seconds('from') } : {}), ...(seconds('to') !== undefined ? { toMs: seconds('to') } : {}) };
  const files = profileFiles(args.filter((a) => !a.startsWith('--')));
  console.log(renderProfiles(files.map((f) => summariseProfile(f, root, 40, window)), root));
}
