// Small pure formatting helpers shared by the status bar, the status quick pick and messages.

/** "0.13 s", "2.6 s", "1 min 35 s" from seconds. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 1) return `${Number(s.toPrecision(2))} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

/** "just now", "6 min ago", "3 h ago", "2 days ago" from an age in seconds. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 60) return 'just now';
  const min = Math.floor(seconds / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** "1 statement", "412 statements". */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** Escapes text for Markdown so names and paths from the server render literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-!|<>~]/g, (c) => `\\${c}`);
}

/** Inline code for a path (backticks inside are replaced, Markdown has no escape in code spans). */
export function codeSpan(text: string): string {
  return '`' + text.replace(/`/g, "'") + '`';
}

/** A `command:` link for a trusted MarkdownString. */
export function commandLink(label: string, command: string, args?: unknown[]): string {
  const query = args && args.length ? `?${encodeURIComponent(JSON.stringify(args))}` : '';
  return `[${label}](command:${command}${query})`;
}

/** "2.6 s → 0.7 s" (medians) for a measurement with and without the image. */
export function measurementGain(m: { withoutImage: { median: number }; withImage: { median: number } | null } | null | undefined): string | undefined {
  return m ? formatTtfxGain(m.withoutImage.median, m.withImage?.median) : undefined;
}

/** "2.6 s → 0.7 s" for a TTFX pair. */
export function formatTtfxGain(withoutImage: number | undefined, withImage: number | undefined): string | undefined {
  if (withoutImage === undefined || withImage === undefined) return undefined;
  return `${formatSeconds(withoutImage)} → ${formatSeconds(withImage)}`;
}

/** The last component of a path with `/` or `\` separators (a file's name, for messages). */
export function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}
