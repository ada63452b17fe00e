// "Clear recorded statements": asks first, then runs the server command sysimage.clearStatements.
import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';
import type { Ctx, RunningCtx } from '../ctx';
import { errorMessage } from '../errors';
import * as proto from '../protocol';

export function activate(ctx: Ctx): void {
  ctx.registerCommand('clearStatements', { enabled: clearStatements });
}

function clearStatements({ ctx, client }: RunningCtx) {
  return async (projectArg?: unknown): Promise<void> => {
    const params = ctx.projectParams(projectArg);
    const status = await ctx.statusFor(params.project);
    const what = status ? `all ${status.statements.total} recorded precompile statements of ${status.name}` : 'all recorded precompile statements';
    const answer = await vscode.window.showWarningMessage(
      `Forget ${what}?`,
      { modal: true, detail: 'A sysimage built from them stays until the next build.' },
      'Clear',
    );
    if (answer !== 'Clear') return;
    try {
      const s = (await client.sendRequest(lc.ExecuteCommandRequest.type, {
        command: proto.Commands.clearStatements,
        arguments: params.project ? [{ project: params.project }] : [],
      })) as proto.Status | null;
      if (s) ctx.statuses.update(s, params.project);
    } catch (e) {
      void vscode.window.showErrorMessage(`Julia Sysimage: clearing the statements failed: ${errorMessage(e)}`);
    }
  };
}
