// "Start Julia REPL with recording": asks the server for a recording Julia command line
// (`sysimage/replCommand`) and runs it in an integrated terminal named after the project.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Ctx, RunningCtx } from '../ctx';
import { errorMessage } from '../errors';
import { configurationSection } from '../ids';
import * as proto from '../protocol';

export function activate(ctx: Ctx): void {
  ctx.registerCommand('startRepl', { enabled: startRepl });
}

function startRepl({ ctx, client }: RunningCtx) {
  return async (projectArg?: unknown): Promise<vscode.Terminal | undefined> => {
    const params = ctx.projectParams(projectArg);
    let cmd: proto.ReplCommandResult;
    try {
      cmd = await client.sendRequest(proto.replCommand, params);
    } catch (e) {
      const action = await vscode.window.showErrorMessage(`Julia Sysimage: cannot start a recorded REPL: ${errorMessage(e)}`, 'Open settings');
      if (action) void vscode.commands.executeCommand('workbench.action.openSettings', `${configurationSection}.juliaPath`);
      return undefined;
    }
    const status = ctx.statuses.get(cmd.project) ?? ctx.statuses.get(params.project);
    const name = status?.name ?? path.basename(cmd.project);
    ctx.output.appendLine(`REPL for ${name}: ${[cmd.command, ...cmd.args].join(' ')} (trace file ${cmd.traceFile})`);
    const terminal = vscode.window.createTerminal({
      name: `Julia: ${name}`,
      shellPath: cmd.command,
      shellArgs: cmd.args,
      env: cmd.env,
      // The project's directory, so `include("workload.jl")` finds the project's files. The
      // default environment's directory may not exist: then the workspace folder.
      cwd: isDirectory(cmd.project) ? cmd.project : params.project && isDirectory(params.project) ? params.project : undefined,
      iconPath: new vscode.ThemeIcon('record'),
    });
    terminal.show();
    return terminal;
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
