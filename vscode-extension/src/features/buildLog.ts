// "Open build log": `sysimage/buildLog` shown as a read-only virtual document
// (julia-sysimage-log:/<project>-<buildId>.log).
import * as path from 'path';
import * as vscode from 'vscode';
import type { Ctx, RunningCtx } from '../ctx';
import { errorMessage, isNotAvailable } from '../errors';
import { buildLogScheme } from '../ids';
import * as proto from '../protocol';
import { showNotAvailable } from './notAvailable';

class BuildLogProvider implements vscode.TextDocumentContentProvider {
  private readonly logs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.logs.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.logs.get(uri.toString()) ?? '(this build log is no longer available: run "Julia Sysimage: Open build log" again)';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function activate(ctx: Ctx): void {
  const provider = new BuildLogProvider();
  ctx.pushExtCleanup(provider);
  ctx.pushExtCleanup(vscode.workspace.registerTextDocumentContentProvider(buildLogScheme, provider));
  ctx.registerCommand('openBuildLog', { enabled: (r) => openBuildLog(r, provider) });
}

function openBuildLog({ ctx, client }: RunningCtx, provider: BuildLogProvider) {
  return async (projectArg?: unknown, buildId?: unknown): Promise<void> => {
    const params: proto.BuildLogParams = { ...ctx.projectParams(projectArg) };
    if (typeof buildId === 'string') params.buildId = buildId;
    let log: proto.BuildLogResult;
    try {
      log = await client.sendRequest(proto.buildLog, params);
    } catch (e) {
      if (isNotAvailable(e)) showNotAvailable('The build log');
      else void vscode.window.showErrorMessage(`Julia Sysimage: no build log: ${errorMessage(e)}`);
      return;
    }
    const name = ctx.statuses.get(params.project)?.name ?? (params.project ? path.basename(params.project) : 'build');
    const uri = vscode.Uri.from({ scheme: buildLogScheme, path: `/${name}-${log.buildId}.log` });
    provider.set(uri, log.log);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
  };
}
