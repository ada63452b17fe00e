// Texts for build and measurement results. Pure.
import { errorData, errorMessage } from './errors';
import type { BuildResult, ImageInfo, MeasureResult, RequestFailedData } from './protocol';
import { formatSeconds, measurementGain, plural } from './format';

/**
 * The message when a build ends: what was gained when the result has a measurement, else the last
 * one kept with the image (`image`: the project's image from its status, used when it is the
 * image this build produced).
 */
export function buildDoneMessage(r: BuildResult, image?: ImageInfo | null): string {
  const kept = image && image.path === r.image ? image.ttfx : undefined;
  const gain = measurementGain(r.measurement) ?? measurementGain(kept);
  if (r.cached) return gain ? `Sysimage already up to date: TTFX ${gain}` : 'Sysimage already up to date.';
  const failed = r.statementsFailed ? `, ${r.statementsFailed} failed` : '';
  const details = `${plural(r.statementsOk, 'statement')}${failed}, built in ${formatSeconds(r.durationSeconds)}`;
  return gain ? `Sysimage ready: TTFX ${gain} (${details})` : `Sysimage ready (${details}).`;
}

/**
 * The message when a build failed: the server's message (what went wrong, in words; never the
 * machine-readable `data.reason`), then the last log lines.
 */
export function buildFailedMessage(e: unknown, tailLines = 3): string {
  const tail = errorData<RequestFailedData>(e)?.logTail ?? [];
  return `Sysimage build failed: ${errorMessage(e)}${tail.length ? `\n${tail.slice(-tailLines).join('\n')}` : ''}`;
}

/** The message after `sysimage/measure`. */
export function measureMessage(m: MeasureResult): string {
  const parts = [`without sysimage ${formatSeconds(m.withoutImage.median)}`];
  if (m.withImage) parts.push(`with sysimage ${formatSeconds(m.withImage.median)}`);
  parts.push(`bare Julia ${formatSeconds(m.bare.median)}`);
  const speedup = m.withImage && Number.isFinite(m.speedup) ? ` (${m.speedup.toFixed(1)}× faster)` : '';
  return `TTFX of ${m.workload}: ${parts.join(', ')}${speedup}; median of ${plural(m.runs, 'run')}.`;
}

/** "45 % · Replaying statements 412/1020" for a progress notification. */
export function progressMessage(percentage: number | undefined, message: string | undefined): string | undefined {
  const pct = percentage !== undefined ? `${Math.round(percentage)} %` : undefined;
  const text = [pct, message].filter((x) => x).join(' · ');
  return text || undefined;
}
