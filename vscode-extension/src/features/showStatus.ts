// "Show status": the active project's status as a quick pick (rows from statusDetails.ts);
// choosing an action runs it, choosing an info row copies its path.
import * as vscode from 'vscode';
import type { Ctx, RunningCtx } from '../ctx';
import { errorMessage } from '../errors';
import * as proto from '../protocol';
import { DetailRow, statusDetailRows } from '../statusDetails';

interface Item extends vscode.QuickPickItem {
  row?: DetailRow;
}

export function activate(ctx: Ctx): void {
  ctx.registerCommand('showStatus', { enabled: showStatus });
}

function showStatus({ ctx, client }: RunningCtx) {
  return async (projectArg?: unknown): Promise<void> => {
    const params = ctx.projectParams(projectArg);
    let status: proto.Status;
    try {
      status = await client.sendRequest(proto.status, params);
      ctx.statuses.update(status, params.project);
    } catch (e) {
      void vscode.window.showErrorMessage(`Julia Sysimage: no status: ${errorMessage(e)}`);
      return;
    }
    const items: Item[] = statusDetailRows(status, ctx.serverOffers('sysimage.build')).map((row) =>
      row.kind === 'separator'
        ? { label: row.label, kind: vscode.QuickPickItemKind.Separator }
        : { label: row.label, description: row.description, detail: row.detail, row },
    );
    const chosen = await vscode.window.showQuickPick(items, {
      title: `Julia Sysimage: ${status.name}`,
      placeHolder: 'Choose an action, or a row to copy its path',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    const row = chosen?.row;
    if (!row) return;
    if (row.command) {
      await vscode.commands.executeCommand(row.command, status.project);
    } else if (row.copy) {
      await vscode.env.clipboard.writeText(row.copy);
      void vscode.window.setStatusBarMessage(`Copied ${row.copy}`, 3000);
    }
  };
}
