import * as assert from 'assert';
import { buildDoneMessage, buildFailedMessage, measureMessage, progressMessage } from '../../src/buildMessages';
import { formatAge, formatSeconds } from '../../src/format';
import type { BuildResult, MeasureResult } from '../../src/protocol';
import { statusDetailRows } from '../../src/statusDetails';
import { recordedError, recordedResult, recordedStatus } from './fixtures';

// The server's recorded replies (tests/fixtures/protocol): a build answered from the walkthrough's
// image (cached) and a one-run measurement.
const build = () => recordedResult<BuildResult>('build');
const measurement = () => recordedResult<MeasureResult>('measure');
const gain = (m: MeasureResult) => `${formatSeconds(m.withoutImage.median)} → ${formatSeconds(m.withImage!.median)}`;

describe('messages', () => {
  it('the recorded build result names its image by path', () => {
    assert.strictEqual(typeof build().image, 'string');
    assert.strictEqual(build().image, recordedStatus('status').image!.path);
  });

  it('a build with a measurement says what was gained', () => {
    const r = { ...build(), cached: false, measurement: measurement() };
    assert.strictEqual(
      buildDoneMessage(r),
      `Sysimage ready: TTFX ${gain(measurement())} (${r.statementsOk} statements, built in ${formatSeconds(r.durationSeconds)})`,
    );
  });

  it('a build without its own measurement uses the one kept with its image (from the status)', () => {
    const r = { ...build(), cached: false };
    const image = recordedStatus('status').image!;
    assert.ok(buildDoneMessage(r, image).startsWith(`Sysimage ready: TTFX ${gain(image.ttfx!)} (`));
    // Another image's measurement says nothing about this build.
    assert.ok(!buildDoneMessage(r, { ...image, path: '/elsewhere.so' }).includes('TTFX'));
  });

  it('a build without a measurement, with failed statements', () => {
    const r = { ...build(), cached: false, statementsFailed: 2 };
    assert.strictEqual(buildDoneMessage(r), `Sysimage ready (${r.statementsOk} statements, 2 failed, built in ${formatSeconds(r.durationSeconds)}).`);
  });

  it('a cached build', () => {
    assert.strictEqual(buildDoneMessage(build()), 'Sysimage already up to date.');
    assert.strictEqual(buildDoneMessage(build(), recordedStatus('status').image), `Sysimage already up to date: TTFX ${gain(recordedStatus('status').image!.ttfx!)}`);
  });

  it('a failed build shows the message of the server, not data.reason', () => {
    const e = recordedError('buildFailed');
    assert.strictEqual(e.data?.reason, 'buildFailed');
    const text = buildFailedMessage(e);
    assert.ok(text.startsWith(`Sysimage build failed: ${e.message}`), text);
    assert.ok(!text.includes('buildFailed'), text);
  });

  it('a failed build with a log tail shows its last lines', () => {
    const e = recordedError('buildFailed');
    e.data!.logTail = ['one', 'two', 'three', 'four'];
    assert.strictEqual(buildFailedMessage(e), `Sysimage build failed: ${e.message}\ntwo\nthree\nfour`);
  });

  it('measurement', () => {
    const m = measurement();
    assert.strictEqual(
      measureMessage(m),
      `TTFX of ${m.workload}: without sysimage ${formatSeconds(m.withoutImage.median)}, with sysimage ${formatSeconds(m.withImage!.median)}, ` +
        `bare Julia ${formatSeconds(m.bare.median)} (${m.speedup.toFixed(1)}× faster); median of 1 run.`,
    );
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
  it('no image: project, Julia, no sysimage, statements, actions without build', () => {
    const s = recordedStatus('statusNoImage');
    const rows = statusDetailRows(s, false);
    const labels = rows.map((r) => r.label);
    assert.ok(labels.includes('$(circle-large-outline) No sysimage'));
    assert.ok(labels.includes(`$(list-unordered) ${s.statements.total} recorded`));
    assert.ok(!rows.some((r) => r.command === 'juliaSysimage.build'));
    assert.ok(rows.some((r) => r.command === 'juliaSysimage.startRepl'));
  });

  it('an image: packages baked in, last TTFX', () => {
    const s = recordedStatus('status');
    const labels = statusDetailRows(s, true).map((r) => r.label);
    assert.ok(labels.includes(`Packages baked in (${s.image!.packages.length})`), labels.join('\n'));
    for (const p of s.image!.packages) assert.ok(labels.includes(`$(library) ${p.name}`));
    assert.ok(labels.includes(`$(dashboard) ${gain(s.image!.ttfx!)}`), labels.join('\n'));
    assert.ok(statusDetailRows(s, true).some((r) => r.command === 'juliaSysimage.build'));
  });

  it('outdated: the package diff', () => {
    const s = recordedStatus('statusOutdated');
    const rows = statusDetailRows(s, true);
    const labels = rows.map((r) => r.label);
    assert.ok(labels.includes(`Changes since the build (${s.staleness.diff.length})`), labels.join('\n'));
    const d = s.staleness.diff[0]!;
    const row = rows.find((r) => r.label === `$(diff) ${d.name}`);
    assert.ok(row && row.description!.startsWith(d.change) && row.detail === d.reason, JSON.stringify(row));
  });
});
