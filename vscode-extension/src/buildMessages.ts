// Texts for build and measurement results. Pure.
import type { BuildResult, MeasureResult } from './protocol';
import { formatSeconds, measurementGain, plural } from './format';

/** The message when a build ends: what was gained when the result has a measurement. */
export function buildDoneMessage(r: BuildResult): string {
  // The build's own measurement (options.measure), else one kept with the image.
  const gain = measurementGain(r.measurement) ?? measurementGain(r.image.ttfx);
  if (r.cached) return gain ? `Sysimage already up to date: TTFX ${gain}` : 'Sysimage already up to date.';
  const failed = r.statementsFailed ? `, ${r.statementsFailed} failed` : '';
  const details = `${plural(r.statementsOk, 'statement')}${failed}, built in ${formatSeconds(r.durationSeconds)}`;
  return gain ? `Sysimage ready: TTFX ${gain} (${details})` : `Sysimage ready (${details}).`;
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
