// "Restart server", and pushing setting changes to the server: `workspace/didChangeConfiguration`
// with {juliaSysimage: {...}} (trust rule applied), a restart when serverPath changes or when the
// folder becomes trusted (the programs to run may change).
import * as vscode from 'vscode';
import { Config } from '../config';
import type { Ctx } from '../ctx';

export function activate(ctx: Ctx): void {
  const restart = () => () => ctx.restart();
  ctx.registerCommand('restartServer', { enabled: restart, disabled: restart });

  ctx.pushExtCleanup(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!Config.affects(e)) return;
      if (ctx.serverPathChanged() || (ctx.serverState === 'notFound' && e.affectsConfiguration('juliaSysimage.serverPath'))) {
        ctx.output.appendLine('juliaSysimage.serverPath changed: restarting the server.');
        await ctx.restart();
        return;
      }
      await ctx.sendSettings();
    }),
  );

  ctx.pushExtCleanup(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      ctx.output.appendLine('The workspace is trusted now: restarting the server with its settings.');
      void ctx.restart();
    }),
  );
}
