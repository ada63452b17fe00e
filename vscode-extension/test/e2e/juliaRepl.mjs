// Scenario "julia-repl" of the e2e test: the extension records and uses sysimages in the Julia
// extension's own REPL through the workspace's `julia.additionalArgs`.
//
// The Julia extension (julialang.language-julia) cannot be installed on these machines, so a
// STAND-IN with its id, its API shape (version 6) and its settings is installed instead
// (julia-vscode-standin/, packaged here). Everything else is real: VS Code (code-server), our
// extension, the settings it writes, the sysimage server, a real build, a real Pkg change, and the
// real Julia that the stand-in's "Julia: Start REPL" runs with exactly julia-vscode's argument
// vector built from those settings (`-i --banner=no --project=<env> <additionalArgs…> <script>`,
// read back from /proc/<pid>/cmdline). The script loads a stand-in VSCodeServer from the
// stand-in's own environment and runs the project's workload.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A user entry of the workspace's julia.additionalArgs before the test (must survive, in order). */
const userEntry = '--history-file=no';

/** Packages the stand-in (with the stand-in VSCodeServer in its scripts/packages) as a .vsix. */
export function packageStandIn({ here, repoDir, extDir, root }) {
  const dir = fs.mkdtempSync(path.join(root, 'standin-'));
  fs.cpSync(path.join(here, 'julia-vscode-standin'), dir, { recursive: true });
  fs.cpSync(path.join(repoDir, 'tests', 'fixtures', 'vscodeserver-standin'), path.join(dir, 'scripts', 'packages'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), 'A stand-in for the Julia extension, for the julia-sysimage e2e test only.\n');
  const out = `${dir}.vsix`;
  const vsce = path.join(extDir, 'node_modules', '.bin', 'vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packaging the stand-in failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

/** `julia.additionalArgs` of the workspace settings file, as VS Code wrote it. */
function workspaceArgs(folder) {
  const file = path.join(folder, '.vscode', 'settings.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8'))['julia.additionalArgs'];
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The argv of the REPL's Julia: the process below code-server whose arguments name the stand-in's script. */
function replArgv(descendants, codeServerPid) {
  for (const p of descendants(codeServerPid)) {
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    } catch {
      continue;
    }
    if (argv.some((a) => a.endsWith(path.join('scripts', 'terminalserver.jl')))) return argv;
  }
  return undefined;
}

export async function juliaReplScenario(t) {
  const { root, repoDir, extDir, here, vsix, serverBin, julia, step, ui, startVSCode, descendants, outputChannelLog, keepLogs } = t;
  const artifacts = path.join(t.artifacts, 'julia-repl');
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name) });

  const folder = path.join(root, 'ws3', 'stats-app');
  fs.cpSync(path.join(repoDir, 'tests', 'fixtures', 'stats-app'), folder, { recursive: true });
  fs.mkdirSync(path.join(folder, '.vscode'));
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'julia.additionalArgs': [userEntry] }, null, 2));
  const state = path.join(root, 'state3');
  const standIn = packageStandIn({ here, repoDir, extDir, root });

  const vs = await startVSCode({
    runDir: path.join(root, 'j'),
    vsix,
    extraVsix: [standIn],
    folder,
    settings: { 'juliaSysimage.trace.server': 'verbose' },
    // No juliaSysimage.juliaPath: the Julia of the Julia extension (its julia.executablePath) is used.
    machineSettings: { 'juliaSysimage.serverPath': serverBin, 'julia.executablePath': julia },
    env: { SYSIMAGE_SERVER_STATE_DIR: state },
  });
  t.instances.add(vs);
  const { page } = vs;
  t.setPage(page);
  try {
    let trace;
    const ok = await step('julia REPL: the offer (Julia extension stand-in installed, project open); Enable writes --trace-compile', async () => {
      const offer = await ui.waitForToast(page, /record and use sysimages in the Julia REPL/, 120_000);
      for (const action of ['Enable', 'Not now', "Don't ask again"]) {
        if ((await offer.locator('.monaco-button').filter({ hasText: action }).count()) === 0) throw new Error(`the offer has no "${action}" button`);
      }
      await shot(page, '20-offer.png');
      await offer.locator('.monaco-button').filter({ hasText: 'Enable' }).first().click();
      const args = await ui.waitFor('our entry in julia.additionalArgs', () => {
        const a = workspaceArgs(folder);
        return Array.isArray(a) && a.length === 2 ? a : undefined;
      }, 30_000);
      if (args[0] !== userEntry) throw new Error(`the user's entry moved: ${JSON.stringify(args)}`);
      trace = args[1].replace(/^--trace-compile=/, '');
      if (!args[1].startsWith('--trace-compile=') || !path.isAbsolute(trace) || !trace.startsWith(state + path.sep) || !trace.endsWith('julia-repl.jl')) {
        throw new Error(`not our stable trace file: ${JSON.stringify(args)}`);
      }
      // One Julia: the server was started with the Julia extension's Julia.
      const log = outputChannelLog(vs.dirs.data);
      if (!log.includes(`"juliaPath": ${JSON.stringify(julia)}`)) throw new Error(`the server was not given the Julia extension's Julia (${julia}):\n${log.slice(0, 3000)}`);
      const enabled = await ui.waitForToast(page, /records into/, 15_000);
      await enabled.hover(); // the notice stays while the mouse is over it
      await shot(page, '21-enabled.png');
      return JSON.stringify(args);
    });
    if (!ok) return;

    let argv;
    const started = await step('julia REPL: "Julia: Start REPL" runs the real Julia with julia-vscode\'s argv built from those settings', async () => {
      await ui.runCommand(page, 'Julia: Start REPL');
      await ui.waitFor('the stand-in REPL to run the workload', async () => /stand-in REPL: ready/.test(await ui.terminalText(page)), 240_000, 1000);
      argv = replArgv(descendants, vs.pid);
      if (!argv) throw new Error('no Julia process running the stand-in terminalserver.jl');
      const settings = workspaceArgs(folder);
      const expected = ['-i', '--banner=no', `--project=${folder}`, ...settings];
      if (!same(argv.slice(1, 1 + expected.length), expected) || !argv[1 + expected.length].endsWith('terminalserver.jl')) {
        throw new Error(`argv ${JSON.stringify(argv)} is not [julia, ${JSON.stringify(expected).slice(1, -1)}, script, …]`);
      }
      await shot(page, '22-repl-started.png');
      return argv.slice(0, 2 + expected.length).join(' ');
    });
    if (!started) return;

    await step('julia REPL: its statements reach the store; VSCodeServer\'s are counted outside the project', async () => {
      const text = await ui.waitFor('statements and VSCodeServer in the tooltip', async () => {
        const tip = await ui.hoverStatus(page);
        return /Recorded precompile statements:\s*[1-9]/.test(tip) && /outside the project, never built: VSCodeServer \d+/.test(tip) ? tip : undefined;
      }, 60_000, 1000);
      if (!/Julia REPL: recording, no sysimage/.test(text)) throw new Error(`the tooltip does not say what the Julia REPL does:\n${text}`);
      await shot(page, '23-recorded.png');
      return text.split('\n').filter((l) => /Recorded|outside|Julia REPL/.test(l)).join(' | ');
    });

    let image;
    const built = await step('julia REPL: Build sysimage, then the --sysimage entry appears and the running REPL\'s user is told', async () => {
      await ui.runCommand(page, 'Julia Sysimage: Build sysimage');
      await ui.waitForToast(page, /Sysimage ready|Sysimage already up to date/, 900_000);
      await ui.waitForStatusText(page, /Sysimage ✓/, 60_000);
      // The image holds every recorded statement but those referring to Main and VSCodeServer's.
      const tip = await ui.hoverStatus(page);
      const num = (re) => Number(re.exec(tip)?.[1] ?? 0);
      const [inImage, total, excluded, outside] = [/Sysimage built [^\n]*? from (\d+) statements?/, /Recorded precompile statements:\s*(\d+)/,
        /Recorded precompile statements:[^\n]*?(\d+) excluded/, /(\d+) statements? of modules outside the project/].map(num);
      if (!inImage || !outside || inImage !== total - excluded - outside) {
        throw new Error(`the image's statements (${inImage}) are not the recorded ${total} minus ${excluded} excluded and ${outside} outside the project:\n${tip}`);
      }
      const args = await ui.waitFor('a --sysimage entry', () => {
        const a = workspaceArgs(folder);
        return Array.isArray(a) && a.length === 3 ? a : undefined;
      }, 30_000);
      image = args[2].replace(/^--sysimage=/, '');
      if (!same(args.slice(0, 2), [userEntry, `--trace-compile=${trace}`]) || !/^--sysimage=.*[\\/]sysimage-\d{8}T\d{6}Z\.so$/.test(args[2]) || !fs.existsSync(image)) {
        throw new Error(`unexpected julia.additionalArgs ${JSON.stringify(args)}`);
      }
      const notice = await ui.waitForToast(page, /starts with the new sysimage/, 30_000);
      await notice.hover(); // information toasts hide after 15 s unless the mouse is over them
      if ((await notice.locator('.monaco-button').filter({ hasText: 'Restart REPL' }).count()) === 0) throw new Error('the notice has no "Restart REPL" button');
      await shot(page, '24-sysimage-entry.png');
      return `${JSON.stringify(args)}; image built from ${inImage} = ${total} recorded − ${excluded} excluded − ${outside} outside the project`;
    });
    if (!built) return;

    await step('julia REPL: "Restart REPL" starts the REPL\'s Julia with the sysimage', async () => {
      const notice = ui.toast(page, /starts with the new sysimage/).first();
      await notice.locator('.monaco-button').filter({ hasText: 'Restart REPL' }).first().click();
      const restarted = await ui.waitFor('a Julia REPL process with --sysimage', () => {
        const a = replArgv(descendants, vs.pid);
        return a && a.includes(`--sysimage=${image}`) ? a : undefined;
      }, 60_000, 500);
      await ui.waitFor('the restarted REPL to report its sysimage', async () => new RegExp(`stand-in REPL: sysimage .*${path.basename(image).replace(/\./g, '\\.')}`).test(await ui.terminalText(page)), 120_000, 1000);
      await ui.waitFor('the workload to finish again', async () => /stand-in REPL: ready/.test(await ui.terminalText(page)), 120_000, 1000);
      const tip = await ui.hoverStatus(page);
      if (!tip.includes(`Julia REPL: recording, sysimage ${path.basename(image)}`)) throw new Error(`the tooltip does not name the sysimage:\n${tip}`);
      await shot(page, '25-restarted-with-sysimage.png');
      return restarted.slice(4, 8).join(' ');
    });

    await step('julia REPL: a real Pkg change (Pkg.rm in the REPL) removes the --sysimage entry and the user is told', async () => {
      await ui.typeInTerminal(page, 'import Pkg; Pkg.rm("Statistics")');
      await ui.waitFor('julia.additionalArgs without --sysimage', () => same(workspaceArgs(folder), [userEntry, `--trace-compile=${trace}`]), 180_000, 500);
      const notice = await ui.waitForToast(page, /starts without a sysimage/, 30_000);
      const text = (await notice.innerText()).replace(/\s+/g, ' ');
      if (!/out of date: .*removed/.test(text)) throw new Error(`the notice does not say why: ${text}`);
      await ui.waitFor('the tooltip to say why', async () => /Julia REPL: recording, no sysimage \(the sysimage is out of date/.test(await ui.hoverStatus(page)), 30_000, 1000);
      await shot(page, '26-pkg-change.png');
      return text;
    });

    await step('julia REPL: "Stop recording and using sysimages in the Julia REPL" removes exactly our entries', async () => {
      await ui.runCommand(page, 'Julia Sysimage: Stop recording and using sysimages in the Julia REPL');
      await ui.waitFor('only the user\'s entry', () => same(workspaceArgs(folder), [userEntry]), 30_000, 500);
      await ui.waitForToast(page, /removed --trace-compile=/, 15_000);
      await ui.waitFor('the tooltip to say so', async () => /Julia REPL: not recording/.test(await ui.hoverStatus(page)), 30_000, 1000);
      await shot(page, '27-turned-off.png');
      return JSON.stringify(workspaceArgs(folder));
    });
  } finally {
    keepLogs(vs, 'julia-repl');
    await vs.close();
    t.instances.delete(vs);
  }
}
