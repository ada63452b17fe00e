// "Measure TTFX": `sysimage/measure` with a cancellable notification; the result as a message.
import * as vscode from 'vscode';
import { measureMessage } from '../buildMessages';
import type { Ctx, RunningCtx } from '../ctx';
import { errorMessage, isCancelled, isNotAvailable } from '../errors';
import * as proto from '../protocol';
import { showNotAvailable } from './notAvailable';

export function activate(ctx: Ctx): void {
  ctx.registerCommand('measure', { enabled: measureCommand });
}

function measureCommand({ ctx, client }: RunningCtx) {
  return async (projectArg?: unknown): Promise<proto.MeasureResult | undefined> => {
    const params: proto.MeasureParams = ctx.projectParams(projectArg);
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Measuring TTFX', cancellable: true },
        // The token makes the client send $/cancelRequest when Cancel is pressed.
        (_progress, token) => client.sendRequest(proto.measure, params, token),
      );
      void vscode.window.showInformationMessage(measureMessage(result));
      return result;
    } catch (e) {
      if (isNotAvailable(e)) showNotAvailable('Measuring TTFX');
      else if (!isCancelled(e)) void vscode.window.showErrorMessage(`Julia Sysimage: measuring TTFX failed: ${errorMessage(e)}`);
      return undefined;
    }
  };
}
