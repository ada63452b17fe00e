#!/usr/bin/env node
// End-to-end test of the Julia Sysimage extension in a REAL VS Code (code-server + chromium +
// playwright-core, see /work/shared/VSCODE-E2E.md), with the real sysimage-server and the real
// Julia, through the UI only: command palette, status bar (and its hover), notifications, the
// integrated terminal. Screenshots of every step go to test/e2e/artifacts/.
//
//   node vscode-extension/test/e2e/run.mjs [path/to/sysimage-server]
//
// Needs: npm ci in vscode-extension/, scripts/e2e-setup.sh (code-server, chromium), a Julia
// (scripts/julia-path, or $JULIA). Env: E2E_VSIX=<file> to test a given package instead of
// building one; E2E_KEEP=1 keeps the run directory; E2E_ONLY=main,restricted,julia-repl (a comma
// list) runs only those scenarios. Scenario julia-repl (juliaRepl.mjs) keeps its screenshots in
// artifacts/julia-repl/.
//
// The build, progress, Pkg-change and cancel steps need server features of docs/protocol.md
// "Planned". They are written here and run by themselves once the server lists `sysimage.build`
// in `executeCommandProvider.commands`; until then they are reported as SKIP.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extDir = path.resolve(here, '..', '..');
const repoDir = path.resolve(extDir, '..');
const artifacts = path.join(here, 'artifacts');

function fail(msg) {
  console.error(`e2e: ${msg}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Preconditions (clear messages instead of stack traces)

const serverBin = path.resolve(process.argv[2] ?? process.env.SYSIMAGE_SERVER_BIN ?? path.join(repoDir, 'build', 'bin', 'sysimage-server'));
if (!fs.existsSync(serverBin)) fail(`no sysimage-server at ${serverBin} (build it: cmake --build build --target sysimage-server)`);
if (!fs.existsSync(path.join(extDir, 'node_modules', 'playwright-core'))) fail(`vscode-extension/node_modules is missing: run vscode-extension/scripts/setup.sh`);

const { startVSCode, probeServer, codeServerBin, chromiumPath, descendants, outputChannelLog } = await import('./harness.mjs');
const ui = await import('./ui.mjs');

if (!fs.existsSync(codeServerBin)) fail(`code-server is not installed (${codeServerBin}): run vscode-extension/scripts/e2e-setup.sh`);
if (!fs.existsSync(chromiumPath)) fail(`no chromium at ${chromiumPath}: run vscode-extension/scripts/e2e-setup.sh`);

let julia = process.env.JULIA;
if (!julia) {
  const r = spawnSync(path.join(repoDir, 'scripts', 'julia-path'), { encoding: 'utf8' });
  julia = r.status === 0 ? r.stdout.trim() : undefined;
}
if (!julia) fail('no Julia: run scripts/install-julia or set JULIA');

let vsix = process.env.E2E_VSIX;
if (!vsix) {
  console.log('e2e: packaging the extension (npm run package)');
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: extDir, encoding: 'utf8' });
  if (r.status !== 0) fail(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
  vsix = path.join(extDir, 'julia-sysimage.vsix');
}
vsix = path.resolve(vsix);
if (!fs.existsSync(vsix)) fail(`no package at ${vsix}`);

const only = new Set((process.env.E2E_ONLY ?? '').split(',').filter(Boolean));
const runs = (scenario) => only.size === 0 || only.has(scenario);
fs.mkdirSync(artifacts, { recursive: true });
if (runs('main') || runs('restricted')) {
  // The julia-repl scenario (another CTest test) clears its own directory.
  for (const f of fs.readdirSync(artifacts)) if (f !== 'julia-repl') fs.rmSync(path.join(artifacts, f), { recursive: true, force: true });
}

// A short root: VS Code puts IPC sockets under TMPDIR (paths limited to ~108 characters).
const root = fs.mkdtempSync('/tmp/jse2e-');
const instances = new Set();
const watchdog = setTimeout(async () => {
  console.error('e2e: overall time limit (14 min) reached');
  for (const vs of instances) await vs.close();
  process.exit(1);
}, 14 * 60_000);

// ---------------------------------------------------------------------------------------------
// Steps

const results = [];
let failed = false;
/** The page of the running scenario, for a screenshot when a step fails. */
let currentPage;

async function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`e2e: ${name} … `);
  try {
    const note = await fn();
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`ok (${s} s)${note ? ` — ${note}` : ''}`);
    results.push(['PASS', name, note]);
    return true;
  } catch (e) {
    failed = true;
    console.log('FAILED');
    console.error(`    ${String(e?.stack ?? e).split('\n').join('\n    ')}`);
    const file = `fail-${String(results.length + 1).padStart(2, '0')}.png`;
    if (currentPage) await currentPage.screenshot({ path: path.join(artifacts, file) }).catch(() => undefined);
    results.push(['FAIL', name, `${e?.message} (screenshot ${file})`]);
    return false;
  }
}

function skip(name, why) {
  console.log(`e2e: ${name} … SKIP (${why})`);
  results.push(['SKIP', name, why]);
}

async function shot(page, name) {
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file });
  return file;
}

function copyProject(dest) {
  fs.cpSync(path.join(repoDir, 'examples', 'fl-insurance'), dest, { recursive: true });
  return dest;
}

/** Keeps the VS Code and extension logs of a scenario with the screenshots. */
function keepLogs(vs, name) {
  const to = path.join(artifacts, `logs-${name}`);
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['code-server.log', 'browser-console.log']) {
    const p = path.join(vs.runDir, f);
    if (fs.existsSync(p)) fs.copyFileSync(p, path.join(to, f));
  }
  const logs = path.join(vs.dirs.data, 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, path.join(to, 'vscode'), { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: status bar, recorded REPL, workload → more statements; build steps when available

async function mainScenario(caps) {
  const runDir = path.join(root, 'm');
  const folder = copyProject(path.join(root, 'ws', 'fl-insurance'));
  const vs = await startVSCode({
    runDir,
    vsix,
    folder,
    // Verbose tracing puts the JSON-RPC messages into the "Julia Sysimage" output channel's log.
    settings: { 'juliaSysimage.trace.server': 'verbose' },
    machineSettings: { 'juliaSysimage.serverPath': serverBin, 'juliaSysimage.juliaPath': julia },
    env: { SYSIMAGE_SERVER_STATE_DIR: path.join(root, 'state') },
  });
  instances.add(vs);
  const { page } = vs;
  currentPage = page;
  try {
    let ready = await step('status bar item appears with the server\'s status', async () => {
      const text = await ui.waitForStatusText(page, /No sysimage|Sysimage ✓|rebuild suggested|outdated|Julia not found/, 90_000);
      // The item follows the active editor's folder: open a file of the project.
      await ui.openFromExplorer(page, 'workload.jl');
      await ui.waitForStatusText(page, /No sysimage|Sysimage ✓|rebuild suggested|outdated/, 10_000);
      await shot(page, '01-status-bar.png');
      return `"${text}"`;
    });
    if (!ready) return;

    let before = 0;
    await step('tooltip (hover) shows project, Julia and the recorded count', async () => {
      const text = await ui.hoverStatus(page);
      await shot(page, '02-tooltip-before.png');
      if (!/FLInsurance/.test(text)) throw new Error(`no project name in the tooltip:\n${text}`);
      if (!/Julia 1\.\d+/.test(text)) throw new Error(`no Julia version in the tooltip:\n${text}`);
      before = await ui.recordedCount(page);
      return `${before} recorded statements`;
    });

    ready = await step('"Start Julia REPL with recording" opens a terminal named after the project', async () => {
      await ui.runCommand(page, 'Julia Sysimage: Start Julia REPL with recording');
      await ui.waitFor('the julia> prompt in the terminal', async () => /julia>/.test(await ui.terminalText(page)), 120_000, 500);
      const panel = await page.locator('.part.panel').innerText();
      if (!panel.includes('Julia: FLInsurance')) throw new Error(`no terminal named "Julia: FLInsurance" in the panel:\n${panel.slice(0, 500)}`);
      await shot(page, '03-repl-terminal.png');
      return 'terminal "Julia: FLInsurance" at julia>';
    });
    if (!ready) return;

    await step('include("workload.jl") in the REPL raises the recorded count in the tooltip', async () => {
      // What the REPL compiled while starting arrives first: wait until the count stops changing.
      let previous = -1;
      const { n: atPrompt } = await ui.waitFor('the recorded count to settle after the REPL started', async () => {
        const n = await ui.recordedCount(page);
        const settled = n === previous;
        previous = n;
        return settled ? { n } : undefined;
      }, 60_000, 1000);
      await ui.typeInTerminal(page, 'include("workload.jl")');
      await ui.waitFor('the workload to finish', async () => /correlation of latitude/.test(await ui.terminalText(page)), 300_000, 1000);
      await shot(page, '04-workload-ran.png');
      const after = await ui.waitFor('a higher recorded count', async () => {
        const n = await ui.recordedCount(page);
        return n > atPrompt ? n : undefined;
      }, 30_000, 1000);
      await shot(page, '05-tooltip-after.png');
      return `${before} at start → ${atPrompt} at the prompt → ${after} after the workload`;
    });

    await step('"Show status" lists the recorded statements', async () => {
      await ui.runCommand(page, 'Julia Sysimage: Show status');
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: /\d+ recorded/ }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await row.innerText();
      await shot(page, '06-show-status.png');
      await page.keyboard.press('Escape');
      return text.replace(/\s+/g, ' ').trim();
    });

    await step('"Select CPU target" → portable: the setting is written and pushed to the server', async () => {
      await ui.runCommand(page, 'Julia Sysimage: Select CPU target');
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: /^portable/ }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await shot(page, '07-cpu-target.png');
      await row.click();
      const settingsFile = path.join(vs.dirs.data, 'User', 'settings.json');
      await ui.waitFor('juliaSysimage.cpuTarget in the user settings', async () => /"juliaSysimage\.cpuTarget":\s*"portable"/.test(fs.readFileSync(settingsFile, 'utf8')), 10_000);
      await ui.waitFor('workspace/didChangeConfiguration with cpuTarget portable', async () =>
        /Sending notification 'workspace\/didChangeConfiguration'[^]*?"cpuTarget": "portable"/.test(outputChannelLog(vs.dirs.data)), 15_000, 500);
      return 'settings.json and workspace/didChangeConfiguration {juliaSysimage: {cpuTarget: "portable", …}}';
    });

    await step('the server is restarted after a crash (kill -9), and by "Restart server"', async () => {
      const servers = () => descendants(vs.pid).filter((p) => p.cmd === fs.realpathSync(serverBin));
      const [first] = servers();
      if (!first) throw new Error('no sysimage-server process below code-server');
      process.kill(first.pid, 'SIGKILL');
      await ui.waitForStatusText(page, /server stopped/, 15_000);
      await shot(page, '08-server-crashed.png');
      await ui.waitForStatusText(page, /No sysimage|Sysimage ✓|rebuild suggested|outdated/, 30_000);
      const [second] = servers();
      if (!second || second.pid === first.pid) throw new Error('the server was not started again');
      const count = await ui.recordedCount(page);
      await ui.runCommand(page, 'Julia Sysimage: Restart server');
      await ui.waitFor('a third server process', async () => servers().some((p) => p.pid !== first.pid && p.pid !== second.pid), 30_000);
      await ui.waitForStatusText(page, /No sysimage|Sysimage ✓|rebuild suggested|outdated/, 30_000);
      return `pid ${first.pid} killed → ${second.pid} → restarted; ${count} statements kept`;
    });

    const buildSteps = [
      'Build sysimage: progress notification with percentage, then "Sysimage ready" and "Sysimage ✓"',
      'Pkg change in the REPL: status bar warns and the server offers a rebuild',
      'Rebuild from the offer, then Cancel in the progress notification',
    ];
    if (!caps.commands.includes('sysimage.build')) {
      for (const name of buildSteps) skip(name, 'the server does not offer sysimage.build yet');
      return;
    }
    await buildScenario(page, buildSteps);
  } finally {
    keepLogs(vs, 'main');
    await vs.close();
    instances.delete(vs);
  }
}

/** Steps that need the Planned build/staleness work of the server. */
async function buildScenario(page, [buildName, pkgName, cancelName]) {
  const built = await step(buildName, async () => {
    await ui.runCommand(page, 'Julia Sysimage: Build sysimage');
    const progress = await ui.waitForToast(page, /Building sysimage/, 30_000);
    await ui.waitFor('a percentage in the progress notification', async () => /\d+ %/.test(await progress.innerText()), 120_000, 500);
    await ui.closeHovers(page);
    await shot(page, '09-build-progress.png');
    if ((await progress.locator('a.monaco-button, .monaco-button').filter({ hasText: 'Cancel' }).count()) === 0) {
      throw new Error('the progress notification has no Cancel button');
    }
    const done = await ui.waitForToast(page, /Sysimage ready|Sysimage already up to date/, 600_000);
    const message = (await done.innerText()).replace(/\s+/g, ' ').trim();
    await ui.waitForStatusText(page, /Sysimage ✓/, 60_000);
    await shot(page, '10-built.png');
    return message;
  });
  if (!built) return;

  await step('"Open build log" shows the build\'s log in an editor', async () => {
    await ui.runCommand(page, 'Julia Sysimage: Open build log');
    const tab = page.locator('.editor-group-container .tab').filter({ hasText: /FLInsurance-.*\.log/ }).first();
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await ui.waitFor('log text in the editor', async () => {
      const t = await page.locator('.editor-group-container .view-lines').first().innerText();
      return t.trim().length > 0 ? t : undefined;
    }, 15_000);
    await shot(page, '11-build-log.png');
    return `${(await tab.innerText()).trim()}: ${text.split('\n')[0].slice(0, 80)}`;
  });

  const offered = await step(pkgName, async () => {
    await ui.typeInTerminal(page, 'import Pkg; Pkg.rm("Statistics")');
    const text = await ui.waitForStatusText(page, /rebuild suggested|outdated/, 60_000);
    const offer = await ui.waitForToast(page, /rebuild/i, 60_000);
    if ((await offer.locator('.monaco-button').filter({ hasText: 'Rebuild' }).count()) === 0) throw new Error('the rebuild offer has no "Rebuild" button');
    await ui.hoverStatus(page);
    await shot(page, '12-rebuild-offer.png');
    return `"${text}"`;
  });
  if (!offered) return;

  await step(cancelName, async () => {
    const offer = ui.toast(page, /rebuild/i).first();
    await offer.locator('.monaco-button').filter({ hasText: 'Rebuild' }).first().click();
    const progress = await ui.waitForToast(page, /Building sysimage/, 60_000);
    await ui.waitForStatusText(page, /Building|Build queued/, 60_000);
    await ui.closeHovers(page);
    await shot(page, '13-rebuild-progress.png');
    await progress.hover();
    await progress.locator('.monaco-button').filter({ hasText: 'Cancel' }).first().click();
    await progress.waitFor({ state: 'hidden', timeout: 60_000 });
    const text = await ui.waitForStatusText(page, /rebuild suggested|outdated|No sysimage|Sysimage ✓/, 60_000);
    await shot(page, '14-cancelled.png');
    return `after Cancel: "${text}"`;
  });
}

// ---------------------------------------------------------------------------------------------
// Scenario 2: Restricted Mode never runs programs chosen by the workspace

async function restrictedScenario() {
  const runDir = path.join(root, 'r');
  const folder = copyProject(path.join(root, 'ws2', 'fl-insurance'));
  const markers = path.join(root, 'markers');
  fs.mkdirSync(markers, { recursive: true });
  const evil = (name) => {
    const p = path.join(root, `evil-${name}.sh`);
    fs.writeFileSync(p, `#!/bin/sh\n# Would be run only if the workspace's setting were used.\ntouch "\${MARKER_DIR:-${markers}}/${name}-ran"\nexit 1\n`, { mode: 0o755 });
    return p;
  };
  const evilJulia = evil('julia');
  const evilServer = evil('server');
  // Control: the scripts do leave a marker when run.
  const control = path.join(root, 'control');
  fs.mkdirSync(control);
  spawnSync(evilJulia, [], { env: { ...process.env, MARKER_DIR: control } });
  if (!fs.existsSync(path.join(control, 'julia-ran'))) throw new Error('the marker script does not work');

  fs.mkdirSync(path.join(folder, '.vscode'));
  fs.writeFileSync(
    path.join(folder, '.vscode', 'settings.json'),
    JSON.stringify({ 'juliaSysimage.juliaPath': evilJulia, 'juliaSysimage.serverPath': evilServer }, null, 2),
  );

  // The Julia extension's stand-in too: in Restricted Mode its settings must not be written either.
  const { packageStandIn } = await import('./juliaRepl.mjs');
  const standIn = packageStandIn({ here, repoDir, extDir, root });
  const vs = await startVSCode({
    runDir,
    vsix,
    extraVsix: [standIn],
    folder,
    trust: true,
    // The user's (machine) settings choose the server; Julia comes from $JULIA, not the workspace.
    machineSettings: { 'juliaSysimage.serverPath': serverBin },
    env: { SYSIMAGE_SERVER_STATE_DIR: path.join(root, 'state2'), JULIA: julia },
  });
  instances.add(vs);
  const { page } = vs;
  currentPage = page;
  try {
    await step('Workspace Trust: the folder is opened untrusted ("No, I don\'t trust the authors")', async () => {
      const no = page.locator('.monaco-dialog-box .monaco-button').filter({ hasText: /No, I don.t trust/ }).first();
      await no.waitFor({ state: 'visible', timeout: 30_000 });
      await shot(page, '15-trust-prompt.png');
      await no.click();
      return 'Restricted Mode';
    });

    await step('status bar says Restricted Mode, and the server runs with the user settings', async () => {
      await ui.waitForStatusText(page, /Restricted Mode/, 90_000);
      const text = await ui.waitForStatusText(page, /Restricted Mode · (No sysimage|Sysimage ✓|Sysimage:|Sysimage outdated)/, 90_000);
      const tip = await ui.hoverStatus(page);
      if (!/Restricted Mode/.test(tip) || !/juliaSysimage\.juliaPath/.test(tip)) throw new Error(`tooltip does not explain Restricted Mode:\n${tip}`);
      await shot(page, '16-restricted-mode.png');
      return `"${text}"`;
    });

    await step('programs named by workspace settings never ran (no marker files)', async () => {
      // Once the output channel says which server started and why, every program choice was made.
      const log = await ui.waitFor('the server start and Restricted Mode in the output channel', async () => {
        const text = outputChannelLog(vs.dirs.data);
        return text.includes(`Starting ${serverBin}`) && /Restricted Mode: workspace values/.test(text) ? text : undefined;
      }, 60_000, 500).catch(() => outputChannelLog(vs.dirs.data));
      const found = fs.readdirSync(markers);
      if (found.length) throw new Error(`workspace programs ran: ${found.join(', ')}`);
      if (!log.includes(`Starting ${serverBin} (found via setting)`)) throw new Error(`the server was not started from the user setting:\n${log}`);
      if (!/Restricted Mode: workspace values/.test(log)) throw new Error(`the output channel does not mention Restricted Mode:\n${log}`);
      return `no marker in ${markers}; server from the user setting`;
    });

    await step('Restricted Mode: no Julia REPL offer, and julia.additionalArgs is never written, even on request', async () => {
      if ((await ui.toast(page, /record and use sysimages in the Julia REPL/).count()) > 0) throw new Error('the Julia REPL offer was shown in Restricted Mode');
      await ui.runCommand(page, 'Julia Sysimage: Record and use sysimages in the Julia REPL');
      const refused = await ui.waitForToast(page, /not trusted \(Restricted Mode\), so no settings are changed/, 15_000);
      await refused.hover(); // the notice stays while the mouse is over it
      await shot(page, '17-restricted-julia-repl.png');
      const settings = JSON.parse(fs.readFileSync(path.join(folder, '.vscode', 'settings.json'), 'utf8'));
      if ('julia.additionalArgs' in settings) throw new Error(`julia.additionalArgs was written: ${JSON.stringify(settings)}`);
      return 'refused with a notice; .vscode/settings.json unchanged';
    });
  } finally {
    keepLogs(vs, 'restricted');
    await vs.close();
    instances.delete(vs);
  }
}

// ---------------------------------------------------------------------------------------------

try {
  const caps = await probeServer(serverBin);
  console.log(`e2e: ${serverBin} (${caps.serverInfo?.name} ${caps.serverInfo?.version}) offers ${caps.commands.join(', ') || 'no commands'}`);
  console.log(`e2e: julia ${julia}; package ${vsix}; run directory ${root}`);
  if (runs('main')) await mainScenario(caps);
  if (runs('restricted')) await restrictedScenario();
  if (runs('julia-repl')) {
    const { juliaReplScenario } = await import('./juliaRepl.mjs');
    await juliaReplScenario({
      root, repoDir, extDir, here, vsix, serverBin, julia, artifacts, instances, ui, startVSCode, descendants, outputChannelLog, keepLogs, step,
      setPage: (page) => (currentPage = page),
    });
  }
} catch (e) {
  failed = true;
  console.error(`e2e: ${e?.stack ?? e}`);
} finally {
  clearTimeout(watchdog);
  for (const vs of instances) await vs.close();
  if (!process.env.E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
}

console.log('\ne2e summary:');
for (const [r, name, note] of results) console.log(`  ${r.padEnd(4)} ${name}${note ? ` — ${note}` : ''}`);
console.log(`screenshots: ${artifacts}`);
process.exit(failed || results.every(([r]) => r !== 'PASS') ? 1 : 0);
