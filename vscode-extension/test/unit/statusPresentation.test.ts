import * as assert from 'assert';
import { CommandIds } from '../../src/ids';
import { presentStatus, PresentationInput } from '../../src/statusPresentation';
import { plannedStatus, servedStatus } from './fixtures';

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

  describe('project states', () => {
    it('served status without staleness and image: "No sysimage" with the recorded count', () => {
      const p = presentStatus(running(servedStatus(), false));
      assert.strictEqual(p.kind, 'noSysimage');
      assert.strictEqual(plain(p.text), 'No sysimage');
      assert.strictEqual(p.background, undefined);
      assert.match(p.tooltip, /Recorded precompile statements: \*\*412\*\* \(3 non-portable, 7 excluded\)/);
      assert.match(p.tooltip, /Recording 1 Julia session/);
      assert.match(p.tooltip, /Julia 1\.5\.3/);
      assert.match(p.tooltip, /does not build sysimages yet/);
      // Without build support a click shows the details, never a build.
      assert.strictEqual(p.command?.command, CommandIds.showStatus);
      assert.deepStrictEqual(p.command?.arguments, ['/home/u/FLInsurance']);
      assert.ok(!p.tooltipCommands.includes(CommandIds.build));
      assert.match(p.accessibilityLabel, /412 recorded statements/);
    });

    it('no sysimage with build support: click builds', () => {
      const p = presentStatus(running(plannedStatus({ image: null, staleness: { state: 'none' } })));
      assert.strictEqual(p.kind, 'noSysimage');
      assert.strictEqual(p.command?.command, CommandIds.build);
      assert.ok(p.tooltipCommands.includes(CommandIds.build));
    });

    it('up to date: "Sysimage ✓", image age, TTFX, click shows details', () => {
      const p = presentStatus(running(plannedStatus()));
      assert.strictEqual(p.kind, 'upToDate');
      assert.strictEqual(plain(p.text), 'Sysimage ✓');
      assert.strictEqual(p.background, undefined);
      assert.strictEqual(p.command?.command, CommandIds.showStatus);
      assert.match(p.tooltip, /built 6 min ago from 412 statements/);
      assert.match(p.tooltip, /\*\*412\*\* \(12 new since the build, 3 non-portable, 7 excluded\)/);
      assert.match(p.tooltip, /Last TTFX: 2\.6 s → 0\.7 s \(bare Julia 0\.13 s\)/);
    });

    it('rebuild suggested: warning colour, reasons and diff, click builds', () => {
      const p = presentStatus(
        running(
          plannedStatus({
            staleness: {
              state: 'suggested',
              reasons: ['CSV 0.10.9 → 0.10.11 and 2 more'],
              diff: [{ name: 'CSV', uuid: 'u', change: 'upgraded', old: '0.10.9', new: '0.10.11' }],
            },
          }),
        ),
      );
      assert.strictEqual(p.kind, 'rebuildSuggested');
      assert.strictEqual(plain(p.text), 'Sysimage: rebuild suggested');
      assert.strictEqual(p.background, 'statusBarItem.warningBackground');
      assert.strictEqual(p.command?.command, CommandIds.build);
      assert.ok(!p.tooltip.includes('and 2 more'), 'the table says it better');
      assert.match(p.tooltip, /\| CSV \| upgraded \| 0\.10\.9 → 0\.10\.11 \|/);
    });

    it('reasons that only repeat the diff are left to the table', () => {
      const p = presentStatus(
        running(
          plannedStatus({
            staleness: {
              state: 'unsafe',
              reasons: ['Statistics removed', '120 new statements'],
              diff: [{ name: 'Statistics', uuid: 'u', change: 'removed', old: null, new: null }],
            },
          }),
        ),
      );
      assert.ok(!p.tooltip.includes('- Statistics removed'));
      assert.match(p.tooltip, /- 120 new statements/);
      assert.match(p.tooltip, /\| Package \| Change \|\n\|---\|---\|\n\| Statistics \| removed \|/);
    });

    it('unsafe: "outdated — not used", warning colour', () => {
      const p = presentStatus(running(plannedStatus({ staleness: { state: 'unsafe', reasons: ['CSV upgraded'] } })));
      assert.strictEqual(p.kind, 'outdated');
      assert.strictEqual(plain(p.text), 'Sysimage outdated — not used');
      assert.strictEqual(p.background, 'statusBarItem.warningBackground');
      assert.strictEqual(p.command?.command, CommandIds.build);
    });

    it('unusable: "outdated — not used", error colour, manifest error in the tooltip', () => {
      const p = presentStatus(
        running(plannedStatus({ staleness: { state: 'unusable', manifestError: { file: '/p/Manifest.toml', line: 3, column: 7, message: 'expected =' } } })),
      );
      assert.strictEqual(p.kind, 'outdated');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.match(p.tooltip, /`\/p\/Manifest\.toml:3:7`: expected =/);
    });

    it('building: percentage in the text, click cancels', () => {
      const p = presentStatus(
        running(plannedStatus({ build: { state: 'running', buildId: 'b-1', phase: 'replaying', message: 'Replaying statements 412/1020', percentage: 45 } })),
      );
      assert.strictEqual(p.kind, 'building');
      assert.strictEqual(plain(p.text), 'Building 45 %');
      assert.strictEqual(p.background, undefined);
      assert.strictEqual(p.command?.command, CommandIds.cancelBuild);
      assert.match(p.tooltip, /Replaying statements 412\/1020/);
      assert.ok(p.tooltipCommands.includes(CommandIds.cancelBuild));
      assert.ok(!p.tooltipCommands.includes(CommandIds.build));
    });

    it('building without a percentage yet', () => {
      const p = presentStatus(running(plannedStatus({ build: { state: 'running', buildId: 'b-1' } })));
      assert.strictEqual(plain(p.text), 'Building…');
    });

    it('build queued: click cancels', () => {
      const p = presentStatus(running(plannedStatus({ build: { state: 'queued', buildId: 'b-2' } })));
      assert.strictEqual(p.kind, 'buildQueued');
      assert.strictEqual(p.command?.command, CommandIds.cancelBuild);
    });

    it('build failed: error colour, click opens the build log', () => {
      const p = presentStatus(running(plannedStatus({ build: { state: 'failed', buildId: 'b-3', error: 'linker failed' } })));
      assert.strictEqual(p.kind, 'buildFailed');
      assert.strictEqual(plain(p.text), 'Build failed');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.strictEqual(p.command?.command, CommandIds.openBuildLog);
      assert.match(p.tooltip, /linker failed/);
    });

    it('cancelled and succeeded builds fall back to the staleness state', () => {
      assert.strictEqual(presentStatus(running(plannedStatus({ build: { state: 'cancelled', buildId: 'b' } }))).kind, 'upToDate');
      assert.strictEqual(presentStatus(running(plannedStatus({ build: { state: 'succeeded', buildId: 'b' } }))).kind, 'upToDate');
    });

    it('Julia not found: error colour, click opens the juliaPath setting', () => {
      const p = presentStatus(running(servedStatus({ julia: { path: '', version: '', error: 'Julia not found (tried PATH)', errorKind: 'notFound' } })));
      assert.strictEqual(p.kind, 'juliaNotFound');
      assert.strictEqual(plain(p.text), 'Julia not found');
      assert.strictEqual(p.background, 'statusBarItem.errorBackground');
      assert.deepStrictEqual(p.command?.arguments, ['juliaSysimage.juliaPath']);
      assert.match(p.tooltip, /Julia not found \\\(tried PATH\\\)/);
    });

    it('Julia too old and other Julia errors', () => {
      const old = presentStatus(running(servedStatus({ julia: { path: '/j', version: '1.0.5', error: 'too old', errorKind: 'tooOld' } })));
      assert.strictEqual(old.kind, 'juliaUnusable');
      assert.strictEqual(plain(old.text), 'Julia too old');
      const timeout = presentStatus(running(servedStatus({ julia: { path: '/j', version: '', error: 'no answer', errorKind: 'timeout' } })));
      assert.strictEqual(plain(timeout.text), 'Julia not responding');
      assert.strictEqual(timeout.background, 'statusBarItem.errorBackground');
    });

    it('Julia errors win over builds', () => {
      const p = presentStatus(
        running(plannedStatus({ julia: { path: '', version: '', error: 'gone', errorKind: 'notFound' }, build: { state: 'running', buildId: 'b' } })),
      );
      assert.strictEqual(p.kind, 'juliaNotFound');
    });

    it('store problems and warnings appear in the tooltip', () => {
      const p = presentStatus(running(servedStatus({ store: { dir: '/s', degraded: true, error: 'disk full' }, warnings: ['2 corrupt lines set aside'] })));
      assert.match(p.tooltip, /cannot be written: disk full/);
      assert.match(p.tooltip, /2 corrupt lines set aside/);
    });

    it('statements outside the project: counted by module in the tooltip', () => {
      const statements = { ...servedStatus().statements, outsideProject: 120, outsideModules: [{ module: 'VSCodeServer', statements: 118, reason: 'r' }, { module: 'Revise', statements: 2, reason: 'r' }] };
      const p = presentStatus(running(servedStatus({ statements })));
      assert.match(plain(p.tooltip), /120 statements of modules outside the project, never built: VSCodeServer 118, Revise 2/);
    });

    it('the Julia extension\'s REPL: "Julia REPL: recording, sysimage X", or why not, for its project only', () => {
      const s = plannedStatus();
      const withImage = { project: `${s.project}/`, recording: true, sysimage: s.image!.path };
      assert.match(plain(presentStatus({ ...running(s), juliaRepl: withImage }).tooltip), /Julia REPL: recording, sysimage `sysimage-20261121T101500\.so`/);
      const without = { project: s.project, recording: true, why: 'the sysimage is out of date: Foo 0.1.0 → 0.2.0' };
      assert.match(plain(presentStatus({ ...running(s), juliaRepl: without }).tooltip), /Julia REPL: recording, no sysimage \(the sysimage is out of date: Foo 0\.1\.0 → 0\.2\.0\)/);
      const off = { project: s.project, recording: false, why: 'not set up' };
      assert.match(plain(presentStatus({ ...running(s), juliaRepl: off }).tooltip), /Julia REPL: not recording \(not set up\)/);
      const other = { ...withImage, project: '/elsewhere' };
      assert.doesNotMatch(presentStatus({ ...running(s), juliaRepl: other }).tooltip, /Julia REPL/);
      assert.doesNotMatch(presentStatus(running(s)).tooltip, /Julia REPL/);
    });

    it('escapes Markdown in names from the server', () => {
      const p = presentStatus(running(servedStatus({ name: 'My*Project](command:evil)' })));
      assert.ok(!p.tooltip.includes('](command:evil)'));
    });
  });

  describe('Restricted Mode', () => {
    it('says so in the text and the tooltip, keeps the state', () => {
      const p = presentStatus({ ...running(servedStatus(), false), trusted: false });
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
