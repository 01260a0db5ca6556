/**
 * Canned replies: `/shortcut` in the composer opens a picker; the chosen text has its
 * `{{customer.name}}`-style variables filled from what the app knows about the conversation.
 */

export interface CannedReply {
  shortcut: string;
  text: string;
}

/** Variables a template may use, by dotted path. Unknown variables stay visible so the agent notices. */
export type TemplateVars = Record<string, string | undefined>;

export function expandTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, path: string) => {
    const value = vars[path];
    return value === undefined || value === '' ? (path === 'customer.name' ? 'there' : whole) : value;
  });
}

/**
 * The `/word` being typed at the end of the composer text, or null. Only a slash at the start of
 * the text or after whitespace counts, so URLs like "a/b" do not open the picker.
 */
export function slashQuery(text: string): string | null {
  const m = /(?:^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(text);
  return m ? m[1]! : null;
}

/** Replies whose shortcut starts with the query first, then those that merely contain it. */
export function matchCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.toLocaleLowerCase();
  const starts = replies.filter((r) => r.shortcut.toLocaleLowerCase().startsWith(q));
  const contains = replies.filter((r) => !starts.includes(r) && (r.shortcut.toLocaleLowerCase().includes(q) || r.text.toLocaleLowerCase().includes(q)));
  return [...starts, ...contains];
}

/** Replaces the trailing `/query` with the expanded reply. */
export function applyCanned(text: string, reply: CannedReply, vars: TemplateVars): string {
  const cut = text.replace(/(^|\s)\/[\p{L}\p{N}_-]*$/u, '$1');
  return cut + expandTemplate(reply.text, vars);
}

/** `@name` mentions in a note, for highlighting and notifying. */
export function mentions(text: string): string[] {
  return [...text.matchAll(/(?:^|\s)@([\p{L}\p{N}_.-]+)/gu)].map((m) => m[1]!);
}
