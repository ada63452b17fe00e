// The Julia extension for VS Code (julia-vscode, id `julialang.language-julia`): its API (version 6,
// an object literal exported by its `activate`, src/extension.ts), its settings, its REPL terminal
// and its restart command, as read from its source (see JULIA-VSCODE.md). It has no hook for launch
// arguments and no REPL-lifecycle event; `julia.additionalArgs` is the integration point.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

export const juliaExtensionId = 'julialang.language-julia';
/** Its "Julia: Restart REPL" command (package.json `contributes.commands`). */
export const restartReplCommand = 'language-julia.restartREPL';

/** `getJuliaExecutable()`'s result (src/executables.ts `JuliaExecutable`). */
export interface JuliaExecutable {
  command: string;
  args: string[];
  version: string;
  rootFolder(): Promise<string>;
}

/** The parts of the API (version ≥ 5) this extension uses; every member may be missing in older versions. */
export interface JuliaExtensionApi {
  version: number;
  getEnvironment?(): Promise<string>;
  getJuliaExecutable?(tryInstall?: boolean): Promise<JuliaExecutable>;
}

/** The Julia extension, if installed. */
export function juliaExtension(): vscode.Extension<unknown> | undefined {
  return vscode.extensions.getExtension(juliaExtensionId);
}

/** Its API once it is active (activating it when needed), or undefined after `timeoutMs` or on error. */
export async function juliaApi(timeoutMs: number): Promise<JuliaExtensionApi | undefined> {
  const ext = juliaExtension();
  if (!ext) return undefined;
  try {
    const exports = ext.isActive ? ext.exports : await withTimeout(Promise.resolve(ext.activate()), timeoutMs);
    if (!exports || typeof exports !== 'object' || typeof (exports as { version?: unknown }).version !== 'number') return undefined;
    return exports as JuliaExtensionApi;
  } catch {
    return undefined;
  }
}

/** The Julia it runs: an absolute executable and its version, as far as known. */
export interface ReplJulia {
  /** the executable (a juliaup channel resolved to its real binary) */
  path: string;
  /** e.g. "1.5.3"; empty when unknown */
  version: string;
}

/**
 * The Julia its REPL uses: `getJuliaExecutable(false)` (never offering to install one), a juliaup
 * channel (`args` like `+1.10`) resolved through `rootFolder()` (Sys.BINDIR) to its binary; else
 * `julia.executablePath` when it names a program (not a `julia +channel` line). Undefined when
 * neither says.
 */
export async function replJulia(api: JuliaExtensionApi | undefined, timeoutMs: number): Promise<ReplJulia | undefined> {
  if (api?.getJuliaExecutable) {
    try {
      const exe = await withTimeout(api.getJuliaExecutable(false), timeoutMs);
      if (exe?.command) {
        const file = exe.args?.length ? path.join(await withTimeout(exe.rootFolder(), timeoutMs), process.platform === 'win32' ? 'julia.exe' : 'julia') : exe.command;
        return { path: file, version: exe.version ?? '' };
      }
    } catch {
      // Julia not found by the Julia extension: fall through to the setting
    }
  }
  const configured = vscode.workspace.getConfiguration('julia').get<string>('executablePath')?.trim();
  if (configured && !/\s\+|^\+/.test(configured)) return { path: configured, version: '' };
  return undefined;
}

/**
 * The environment its REPL activates (`--project=<env>`): `getEnvironment()`, else
 * `julia.environmentPath` (its `${workspaceFolder}` and `${userHome}` replaced, relative to the
 * first workspace folder), else undefined.
 */
export async function replEnvironment(api: JuliaExtensionApi | undefined, timeoutMs: number): Promise<string | undefined> {
  if (api?.getEnvironment) {
    try {
      const env = await withTimeout(api.getEnvironment(), timeoutMs);
      if (typeof env === 'string' && env) return env;
    } catch {
      // fall through to the setting
    }
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const raw = vscode.workspace.getConfiguration('julia').get<string | null>('environmentPath');
  if (!raw) return undefined;
  const home = os.homedir();
  const expanded = raw.replace(/\$\{workspaceFolder\}/g, folder ?? '').replace(/\$\{userHome\}/g, home);
  return path.isAbsolute(expanded) ? expanded : folder ? path.join(folder, expanded) : undefined;
}

/** Whether its REPL runs now: a terminal named like its REPL ("Julia REPL (v1.10.4)", src/interactive/repl.ts). */
export function replRunning(): boolean {
  return vscode.window.terminals.some((t) => t.name.startsWith('Julia REPL'));
}

/** Whether its restart command exists (it does in every version since 2020). */
export async function canRestartRepl(): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(restartReplCommand);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
