import * as assert from 'assert';
import { buildDoneMessage, measureMessage, progressMessage } from '../../src/buildMessages';
import { formatAge, formatSeconds } from '../../src/format';
import type { BuildResult, MeasureResult } from '../../src/protocol';
import { statusDetailRows } from '../../src/statusDetails';
import { plannedStatus, servedStatus } from './fixtures';

const timing = (median: number) => ({ median, min: median, max: median, samples: [median] });
const measurement: MeasureResult = { workload: 'workload.jl', runs: 3, bare: timing(0.13), withoutImage: timing(2.6), withImage: timing(0.7), speedup: 3.71 };
const result = (extra: Partial<BuildResult> = {}): BuildResult => ({
  buildId: 'b-1',
  image: { ...plannedStatus().image!, ttfx: null },
  durationSeconds: 95,
  statementsOk: 410,
  statementsFailed: 2,
  backend: 'native',
  cached: false,
  ...extra,
});

describe('messages', () => {
  it('a build with a measurement says what was gained', () => {
    assert.strictEqual(buildDoneMessage(result({ measurement })), 'Sysimage ready: TTFX 2.6 s → 0.7 s (410 statements, 2 failed, built in 1 min 35 s)');
  });

  it('a build without its own measurement uses the one kept with the image', () => {
    assert.strictEqual(buildDoneMessage(result({ image: plannedStatus().image! })), 'Sysimage ready: TTFX 2.6 s → 0.7 s (410 statements, 2 failed, built in 1 min 35 s)');
  });

  it('a build without a measurement', () => {
    assert.strictEqual(buildDoneMessage(result()), 'Sysimage ready (410 statements, 2 failed, built in 1 min 35 s).');
  });

  it('a cached build', () => {
    assert.strictEqual(buildDoneMessage(result({ cached: true })), 'Sysimage already up to date.');
  });

  it('measurement', () => {
    assert.strictEqual(measureMessage(measurement), 'TTFX of workload.jl: without sysimage 2.6 s, with sysimage 0.7 s, bare Julia 0.13 s (3.7× faster); median of 3 runs.');
  });

  it('progress', () => {
    assert.strictEqual(progressMessage(45.2, 'Replaying statements 412/1020'), '45 % · Replaying statements 412/1020');
    assert.strictEqual(progressMessage(undefined, undefined), undefined);
  });

  it('formats', () => {
    assert.strictEqual(formatSeconds(0.7), '0.7 s');
    assert.strictEqual(formatSeconds(0.13), '0.13 s');
    assert.strictEqual(formatSeconds(2.6), '2.6 s');
    assert.strictEqual(formatAge(30), 'just now');
    assert.strictEqual(formatAge(360), '6 min ago');
    assert.strictEqual(formatAge(3 * 86400), '3 days ago');
  });
});

describe('Show status rows', () => {
  it('served status: project, Julia, no sysimage, statements, actions without build', () => {
    const rows = statusDetailRows(servedStatus(), false);
    const labels = rows.map((r) => r.label);
    assert.ok(labels.includes('$(circle-large-outline) No sysimage'));
    assert.ok(labels.includes('$(list-unordered) 412 recorded'));
    assert.ok(!rows.some((r) => r.command === 'juliaSysimage.build'));
    assert.ok(rows.some((r) => r.command === 'juliaSysimage.startRepl'));
  });

  it('planned status: image, packages baked in, diff, last TTFX', () => {
    const rows = statusDetailRows(
      plannedStatus({ staleness: { state: 'suggested', diff: [{ name: 'CSV', uuid: 'u', change: 'upgraded', old: '0.10.9', new: '0.10.11' }] } }),
      true,
    );
    const labels = rows.map((r) => r.label);
    assert.ok(labels.includes('Packages baked in (1)'));
    assert.ok(labels.includes('$(library) CSV'));
    assert.ok(labels.includes('Changes since the build (1)'));
    assert.ok(labels.includes('$(dashboard) 2.6 s → 0.7 s'));
    assert.ok(rows.some((r) => r.command === 'juliaSysimage.build'));
  });
});
