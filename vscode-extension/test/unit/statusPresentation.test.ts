import * as assert from 'assert';
import * as path from 'path';
import { CommandIds } from '../../src/ids';
import { presentStatus, PresentationInput } from '../../src/statusPresentation';
import { escapeMarkdown, formatAge, formatSeconds } from '../../src/format';
import type * as proto from '../../src/protocol';
import { recordedError, recordedStatus, withBuild, withStaleness } from './fixtures';

const running = (status: PresentationInput['status'], canBuild = true): PresentationInput => ({ server: 'running', status, trusted: true, canBuild });
const plain = (text: string) => text.replace(/\$\([^)]*\)\s*/g, '');

describe('statusPresentation', () => {
  describe('server states', () => {
    it('starting', () => {
      const p = presentStatus({ server: 'starting', trusted: true, canBuild: false });
      assert.strictEqual(p.kind, 'serverStarting');
      assert.match(p.text, /starting/);
      assert.strictEqual(p.background, undefined);
      assert.strictEqual(p.command, undefined);
    });

    it('stopped: error colour, click restarts', () => {
      const p = presentStatus({ server: 'stopped', serverMessage: 'The server exited unexpectedly. Restarting in 2 s.', trusted: true, canBuild: false });
      assert.strictEqual(p.kind, 'serverStopped');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.strictEqual(p.command?.command, CommandIds.restartServer);
      assert.match(p.tooltip, /Restarting in 2 s/);
      assert.deepStrictEqual(p.tooltipCommands, [CommandIds.restartServer]);
    });

    it('not found: error colour, click opens the serverPath setting', () => {
      const p = presentStatus({ server: 'notFound', serverMessage: 'Could not find sysimage-server', trusted: true, canBuild: false });
      assert.strictEqual(p.kind, 'serverNotFound');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.deepStrictEqual(p.command, { command: 'workbench.action.openSettings', title: 'Open settings', arguments: ['juliaSysimage.serverPath'] });
    });

    it('running, status not received yet', () => {
      assert.strictEqual(presentStatus(running(undefined)).kind, 'waitingForStatus');
    });
  });

  describe('project states (statuses recorded from the server: tests/fixtures/protocol)', () => {
    it('no sysimage, a server without builds: "No sysimage" with the recorded count', () => {
      const s = recordedStatus('statusNoImage');
      const p = presentStatus(running(s, false));
      assert.strictEqual(p.kind, 'noSysimage');
      assert.strictEqual(plain(p.text), 'No sysimage');
      assert.strictEqual(p.background, undefined);
      assert.ok(p.tooltip.includes(`Recorded precompile statements: **${s.statements.total}**`), p.tooltip);
      assert.ok(p.tooltip.includes(`Julia ${s.julia.version}`));
      assert.match(p.tooltip, /does not build sysimages yet/);
      // Without build support a click shows the details, never a build.
      assert.strictEqual(p.command?.command, CommandIds.showStatus);
      assert.deepStrictEqual(p.command?.arguments, [s.project]);
      assert.ok(!p.tooltipCommands.includes(CommandIds.build));
      assert.strictEqual(p.accessibilityLabel, `Julia Sysimage: No sysimage, NewProject, ${s.statements.total} recorded statements`);
    });

    it('no sysimage with build support: click builds', () => {
      const p = presentStatus(running(recordedStatus('statusNoImage')));
      assert.strictEqual(p.kind, 'noSysimage');
      assert.strictEqual(p.command?.command, CommandIds.build);
      assert.ok(p.tooltipCommands.includes(CommandIds.build));
    });

    it('up to date: "Sysimage ✓", image age, statements, TTFX, click shows details', () => {
      const s = recordedStatus('status');
      const img = s.image!;
      const p = presentStatus(running(s));
      assert.strictEqual(p.kind, 'upToDate');
      assert.strictEqual(plain(p.text), 'Sysimage ✓');
      assert.strictEqual(p.background, undefined);
      assert.strictEqual(p.command?.command, CommandIds.showStatus);
      assert.ok(p.tooltip.includes(`Sysimage built ${formatAge(img.ageSeconds)} from ${img.statements} statements`), p.tooltip);
      assert.ok(p.tooltip.includes(`CPU target \`${img.cpuTarget}\`, ${img.backend} backend`), p.tooltip);
      assert.ok(p.tooltip.includes(`Recorded precompile statements: **${s.statements.total}**`), p.tooltip);
      const ttfx = img.ttfx!;
      assert.ok(
        p.tooltip.includes(`Last TTFX: ${formatSeconds(ttfx.withoutImage.median)} → ${formatSeconds(ttfx.withImage!.median)} (bare Julia ${formatSeconds(ttfx.bare.median)})`),
        p.tooltip,
      );
    });

    it('outdated by a package change: the diff as a table, click builds', () => {
      const s = recordedStatus('statusOutdated');
      const d = s.staleness.diff[0]!;
      const p = presentStatus(running(s));
      assert.ok(p.kind === 'rebuildSuggested' || p.kind === 'outdated', p.kind);
      assert.ok(p.background);
      assert.strictEqual(p.command?.command, CommandIds.build);
      assert.ok(p.tooltip.includes(`| ${d.name} | ${d.change} |`), p.tooltip);
      // Reasons that only repeat the diff are left to the table.
      for (const r of s.staleness.reasons.filter((r) => r.startsWith(`${d.name} `))) assert.ok(!p.tooltip.includes(`- ${r}`));
    });

    it('a manifest that cannot be read: where and why in the tooltip', () => {
      const s = recordedStatus('statusManifestError');
      const e = s.staleness.manifestError!;
      const p = presentStatus(running(s));
      assert.ok(p.tooltip.includes(`\`${e.file}:${e.line}:${e.column}\`: ${escapeMarkdown(e.message)}`), p.tooltip);
    });

    it('a position the server does not know (0) is left out', () => {
      const s = recordedStatus('statusManifestError');
      const e = { ...s.staleness.manifestError!, line: 0, column: 0 };
      const p = presentStatus(running({ ...s, staleness: { ...s.staleness, manifestError: e } }));
      assert.ok(p.tooltip.includes(`\`${e.file}\`: `), p.tooltip);
    });

    it('rebuild suggested: warning colour', () => {
      const p = presentStatus(running(withStaleness(recordedStatus('statusOutdated'), 'suggested')));
      assert.strictEqual(p.kind, 'rebuildSuggested');
      assert.strictEqual(plain(p.text), 'Sysimage: rebuild suggested');
      assert.strictEqual(p.background, 'statusBarItem.warningBackground');
    });

    it('unsafe: "outdated — not used", warning colour', () => {
      const p = presentStatus(running(withStaleness(recordedStatus('statusOutdated'), 'unsafe')));
      assert.strictEqual(p.kind, 'outdated');
      assert.strictEqual(plain(p.text), 'Sysimage outdated — not used');
      assert.strictEqual(p.background, 'statusBarItem.warningBackground');
      assert.strictEqual(p.command?.command, CommandIds.build);
    });

    it('unusable: "outdated — not used", error colour', () => {
      const p = presentStatus(running(withStaleness(recordedStatus('status'), 'unusable')));
      assert.strictEqual(p.kind, 'outdated');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
    });

    it('building: percentage in the text, phase and message in the tooltip, click cancels', () => {
      const s = recordedStatus('statusBuilding');
      const b = s.build!;
      const p = presentStatus(running(s));
      assert.strictEqual(p.kind, 'building');
      assert.strictEqual(plain(p.text), `Building ${Math.round(b.percentage)} %`);
      assert.strictEqual(p.background, undefined);
      assert.strictEqual(p.command?.command, CommandIds.cancelBuild);
      assert.ok(p.tooltip.includes(escapeMarkdown(b.message)), p.tooltip);
      assert.ok(p.tooltipCommands.includes(CommandIds.cancelBuild));
      assert.ok(!p.tooltipCommands.includes(CommandIds.build));
    });

    it('build queued: click cancels', () => {
      const p = presentStatus(running(withBuild(recordedStatus('status'), 'queued')));
      assert.strictEqual(p.kind, 'buildQueued');
      assert.strictEqual(p.command?.command, CommandIds.cancelBuild);
    });

    it('build failed: error colour, the message of the server, click opens the build log', () => {
      const failure = recordedError('buildFailed');
      const p = presentStatus(running(withBuild(recordedStatus('status'), 'failed', failure.message)));
      assert.strictEqual(p.kind, 'buildFailed');
      assert.strictEqual(plain(p.text), 'Build failed');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.strictEqual(p.command?.command, CommandIds.openBuildLog);
      assert.ok(p.tooltip.includes(escapeMarkdown(failure.message)), p.tooltip);
    });

    it('cancelled and succeeded builds fall back to the staleness state', () => {
      assert.strictEqual(presentStatus(running(withBuild(recordedStatus('status'), 'cancelled'))).kind, 'upToDate');
      assert.strictEqual(presentStatus(running(withBuild(recordedStatus('status'), 'succeeded'))).kind, 'upToDate');
    });

    it('Julia not found: error colour, the reason from the server, click opens the juliaPath setting', () => {
      const s = recordedStatus('statusJuliaNotFound');
      const p = presentStatus(running(s));
      assert.strictEqual(p.kind, 'juliaNotFound');
      assert.strictEqual(plain(p.text), 'Julia not found');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.deepStrictEqual(p.command?.arguments, ['juliaSysimage.juliaPath']);
      assert.ok(p.tooltip.includes(escapeMarkdown(s.julia.error!)), p.tooltip);
    });

    it('other Julia problems by errorKind', () => {
      const s = recordedStatus('statusJuliaNotFound');
      const kind = (errorKind: proto.JuliaErrorKind) => presentStatus(running({ ...s, julia: { ...s.julia, errorKind } }));
      assert.strictEqual(kind('tooOld').kind, 'juliaUnusable');
      assert.strictEqual(plain(kind('tooOld').text), 'Julia too old');
      assert.strictEqual(plain(kind('timeout').text), 'Julia not responding');
      assert.strictEqual(kind('timeout').background, 'statusBarItem.errorBackground');
    });

    it('Julia errors win over builds', () => {
      assert.strictEqual(presentStatus(running(withBuild(recordedStatus('statusJuliaNotFound'), 'running'))).kind, 'juliaNotFound');
    });

    it('store problems and warnings appear in the tooltip', () => {
      const s = recordedStatus('status');
      const p = presentStatus(running({ ...s, store: { ...s.store, degraded: true, error: 'disk full' }, warnings: ['2 corrupt lines set aside'] }));
      assert.match(p.tooltip, /cannot be written: disk full/);
      assert.match(p.tooltip, /2 corrupt lines set aside/);
    });

    it('statements outside the project: counted by module in the tooltip', () => {
      const s = recordedStatus('status');
      const statements = { ...s.statements, outsideProject: 120, outsideModules: [{ module: 'VSCodeServer', statements: 118, reason: 'r' }, { module: 'Revise', statements: 2, reason: 'r' }] };
      const p = presentStatus(running({ ...s, statements }));
      assert.match(plain(p.tooltip), /120 statements of modules outside the project, never built: VSCodeServer 118, Revise 2/);
    });

    it('the Julia extension\'s REPL: "Julia REPL: recording, sysimage X", or why not, for its project only', () => {
      const s = recordedStatus('status');
      const withImage = { project: `${s.project}/`, recording: true, sysimage: s.image!.path };
      const imageName = path.basename(s.image!.path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(plain(presentStatus({ ...running(s), juliaRepl: withImage }).tooltip), new RegExp(`Julia REPL: recording, sysimage \`${imageName}\``));
      const without = { project: s.project, recording: true, why: 'the sysimage is out of date: Foo 0.1.0 → 0.2.0' };
      assert.match(plain(presentStatus({ ...running(s), juliaRepl: without }).tooltip), /Julia REPL: recording, no sysimage \(the sysimage is out of date: Foo 0\.1\.0 → 0\.2\.0\)/);
      const off = { project: s.project, recording: false, why: 'not set up' };
      assert.match(plain(presentStatus({ ...running(s), juliaRepl: off }).tooltip), /Julia REPL: not recording \(not set up\)/);
      const other = { ...withImage, project: '/elsewhere' };
      assert.doesNotMatch(presentStatus({ ...running(s), juliaRepl: other }).tooltip, /Julia REPL/);
      assert.doesNotMatch(presentStatus(running(s)).tooltip, /Julia REPL/);
    });

    it('escapes Markdown in names from the server', () => {
      const p = presentStatus(running({ ...recordedStatus('status'), name: 'My*Project](command:evil)' }));
      assert.ok(!p.tooltip.includes('](command:evil)'));
    });
  });

  describe('Restricted Mode', () => {
    it('says so in the text and the tooltip, keeps the state', () => {
      const p = presentStatus({ ...running(recordedStatus('statusNoImage'), false), trusted: false });
      assert.strictEqual(p.kind, 'noSysimage');
      assert.strictEqual(plain(p.text), 'Restricted Mode · No sysimage');
      assert.match(p.tooltip, /Restricted Mode/);
      assert.match(p.tooltip, /juliaSysimage\.juliaPath/);
      assert.ok(p.tooltipCommands.includes('workbench.trust.manage'));
      assert.match(p.accessibilityLabel, /Restricted Mode/);
    });

    it('clicking manages trust when the state has no action', () => {
      const p = presentStatus({ server: 'starting', trusted: false, canBuild: false });
      assert.strictEqual(plain(p.text), 'Restricted Mode · Sysimage server starting');
      assert.strictEqual(p.command?.command, 'workbench.trust.manage');
    });
  });
});
