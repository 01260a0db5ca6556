/**
 * URL patterns used by routing rules, proactive triggers and announcement audiences: `*` matches
 * any run of characters, everything else is literal, and the pattern must match the whole URL or
 * its path (`/pricing*` and `https://shop.example/pricing*` both work).
 */
export function matchesUrlPattern(pattern: string, url: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  if (re.test(url)) return true;
  const path = pathOf(url);
  return path !== null && re.test(path);
}

function pathOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return null;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
