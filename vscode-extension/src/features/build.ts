// "Build sysimage" and "Cancel build": `sysimage/build` with a client-created work done token,
// shown as a cancellable notification with percentage and phase (workDoneProgress.ts; Cancel
// sends `window/workDoneProgress/cancel`). The end message says what was gained.
import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';
import { buildDoneMessage, buildFailedMessage } from '../buildMessages';
import type { Ctx, RunningCtx } from '../ctx';
import { errorData, errorMessage, isCancelled, isNotAvailable } from '../errors';
import { CommandIds } from '../ids';
import * as proto from '../protocol';
import { showWorkDoneProgress } from '../workDoneProgress';
import { showNotAvailable } from './notAvailable';

export function activate(ctx: Ctx): void {
  ctx.registerCommand('build', { enabled: buildCommand });
  ctx.registerCommand('cancelBuild', { enabled: cancelBuildCommand });
}

let tokenSeq = 0;

function buildCommand({ ctx, client }: RunningCtx) {
  return async (projectArg?: unknown, options?: proto.BuildOptions): Promise<proto.BuildResult | undefined> => {
    // The CPU target and the other settings reach the server as settings; `options` only overrides.
    const params: proto.BuildParams = { ...ctx.projectParams(projectArg), ...(options ? { options } : {}) };
    return runBuild(client, params, () => ctx.statuses.get(params.project));
  };
}

/**
 * Runs one build with progress; resolves to its result, or undefined when it did not succeed.
 * `status()`: the project's latest status (its name for the title; its image's TTFX for the message).
 */
export async function runBuild(
  client: lc.LanguageClient,
  params: proto.BuildParams,
  status: () => proto.Status | undefined,
): Promise<proto.BuildResult | undefined> {
  const name = status()?.name;
  const token = `julia-sysimage-build-${process.pid}-${++tokenSeq}`;
  const title = name ? `Building sysimage for ${name}` : 'Building sysimage';
  const view = showWorkDoneProgress(client, token, { title, cancellable: true });
  let outcome: { result?: proto.BuildResult; error?: unknown };
  try {
    outcome = { result: await client.sendRequest(proto.build, { ...params, workDoneToken: token }) };
  } catch (error) {
    outcome = { error };
  } finally {
    view.dispose();
  }
  if (outcome.result) {
    void vscode.window.showInformationMessage(buildDoneMessage(outcome.result, status()?.image));
    return outcome.result;
  }
  const e = outcome.error;
  if (isNotAvailable(e)) {
    showNotAvailable('Building sysimages');
  } else if (isCancelled(e)) {
    void vscode.window.showInformationMessage('Sysimage build cancelled.');
  } else {
    const data = errorData<proto.RequestFailedData>(e);
    const action = await vscode.window.showErrorMessage(buildFailedMessage(e), 'Open build log');
    if (action) void vscode.commands.executeCommand(CommandIds.openBuildLog, params.project, data?.buildId);
  }
  return undefined;
}

function cancelBuildCommand({ ctx, client }: RunningCtx) {
  return async (projectArg?: unknown): Promise<void> => {
    try {
      const r = await client.sendRequest(proto.cancelBuild, ctx.projectParams(projectArg));
      if (!r.cancelled) void vscode.window.showInformationMessage('Julia Sysimage: no build is running.');
    } catch (e) {
      if (isNotAvailable(e)) showNotAvailable('Cancelling builds');
      else void vscode.window.showErrorMessage(`Julia Sysimage: cancelling the build failed: ${errorMessage(e)}`);
    }
  };
}
