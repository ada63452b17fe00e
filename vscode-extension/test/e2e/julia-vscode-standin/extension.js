// A STAND-IN for the Julia extension for VS Code (julia-vscode, id `julialang.language-julia`), used
// only by the julia-sysimage e2e test (test/e2e/juliaRepl.mjs): julia-vscode cannot be installed on
// the test machines (no marketplace, and its REPL needs its git submodules). It has what
// julia-sysimage relies on, as described in /work/shared/JULIA-VSCODE.md:
// - the API object its `activate` returns, version 6: getEnvironment(), getJuliaExecutable(), …;
// - the settings julia.executablePath, julia.environmentPath, julia.additionalArgs;
// - "Julia: Start REPL" / "Julia: Restart REPL" (language-julia.startREPL/restartREPL), which read
//   getConfiguration('julia') afresh at every start and run, in a terminal named "Julia REPL (v…)",
//   the REAL Julia with julia-vscode's argument vector: the executable's args, `-i`, `--banner=no`,
//   `--project=<env>`, each element of julia.additionalArgs (variables substituted) as one token,
//   then the script and its arguments. The script (scripts/terminalserver.jl) is a stand-in too.
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { promisify } = require('util');
const vscode = require('vscode');

const execFile = promisify(cp.execFile);

let terminal;
let output;

function config() {
  return vscode.workspace.getConfiguration('julia');
}

function folder() {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

// julia-vscode src/utils.ts parseVSCodeVariables (the variables an entry may hold).
function substitute(s) {
  return String(s)
    .replace(/\$\{workspaceFolder\}/g, folder() ?? '')
    .replace(/\$\{userHome\}/g, os.homedir())
    .replace(/\$\{pathSeparator\}/g, path.sep)
    .replace(/\$\{env:([^}]+)\}/g, (_, name) => process.env[name] ?? '');
}

async function getJuliaExecutable() {
  const command = config().get('executablePath') || 'julia';
  const { stdout } = await execFile(command, ['--startup-file=no', '-e', 'print(VERSION, "\\n", Sys.BINDIR)'], { encoding: 'utf8' });
  const [version, bindir] = stdout.trim().split('\n');
  return { command, args: [], version, juliaupChannel: undefined, rootFolder: async () => bindir };
}

// julia-vscode src/jlpkgenv.ts getAbsEnvPath: the setting, else a workspace folder with a project
// file, else the default environment.
async function getEnvironment() {
  const configured = config().get('environmentPath');
  if (configured) return path.resolve(folder() ?? '', substitute(configured));
  const f = folder();
  if (f && (fs.existsSync(path.join(f, 'Project.toml')) || fs.existsSync(path.join(f, 'JuliaProject.toml')))) return f;
  const exe = await getJuliaExecutable();
  const [major, minor] = exe.version.split('.');
  return path.join(os.homedir(), '.julia', 'environments', `v${major}.${minor}`);
}

async function startREPL() {
  if (terminal) {
    terminal.show();
    return;
  }
  const exe = await getJuliaExecutable();
  const env = await getEnvironment();
  const additionalArgs = (config().get('additionalArgs') || []).map(substitute);
  const script = path.join(__dirname, 'scripts', 'terminalserver.jl');
  const args = [...exe.args, '-i', '--banner=no', `--project=${env}`, ...additionalArgs, script,
    'standin-pipe', 'standin-debug-pipe', 'standin-crash-pipe', 'USE_REVISE=false', 'USE_PLOTPANE=true',
    'USE_PROGRESS=true', 'ENABLE_SHELL_INTEGRATION=false', 'DEBUG_MODE=false', 'PLOTS_DEFAULT_MIME='];
  output.appendLine(`argv: ${JSON.stringify([exe.command, ...args])}`);
  terminal = vscode.window.createTerminal({
    name: `Julia REPL (v${exe.version})`,
    shellPath: exe.command,
    shellArgs: args,
    cwd: folder(),
    env: { JULIA_EDITOR: 'code', JULIA_VSCODE_REPL: '1' },
  });
  terminal.show();
}

async function restartREPL() {
  if (terminal) {
    const old = terminal;
    terminal = undefined;
    old.dispose();
  }
  await startREPL();
}

function notInStandIn(name) {
  return async () => {
    throw new Error(`${name} is not part of the julia-sysimage test stand-in`);
  };
}

function activate(context) {
  output = vscode.window.createOutputChannel('Julia (stand-in)');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('language-julia.startREPL', startREPL),
    vscode.commands.registerCommand('language-julia.restartREPL', restartREPL),
    vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) terminal = undefined;
    }),
  );
  return {
    version: 6,
    getEnvironment,
    getJuliaExecutable,
    async getJuliaPath() {
      return (await getJuliaExecutable()).command;
    },
    getJuliaupExecutable: notInStandIn('getJuliaupExecutable'),
    installJuliaOrJuliaup: notInStandIn('installJuliaOrJuliaup'),
    getPkgServer: () => config().get('packageServer'),
    executeInREPL: notInStandIn('executeInREPL'),
  };
}

module.exports = { activate, deactivate() {} };
