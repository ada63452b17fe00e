// Entry point of the Julia Sysimage extension: creates the shared Ctx, activates each feature
// (one file each under features/), and starts the sysimage-server language client.
import * as vscode from 'vscode';
import { Config } from './config';
import { Ctx } from './ctx';
import { outputChannelName } from './ids';
import * as build from './features/build';
import * as buildLog from './features/buildLog';
import * as cpuTarget from './features/cpuTarget';
import * as juliaRepl from './features/juliaRepl';
import * as measure from './features/measure';
import * as repl from './features/repl';
import * as server from './features/server';
import * as serverProgress from './features/serverProgress';
import * as showStatus from './features/showStatus';
import * as statements from './features/statements';
import * as statusBar from './features/statusBar';

let ctx: Ctx | undefined;

export async function activate(extCtx: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(outputChannelName);
  extCtx.subscriptions.push(output);
  ctx = new Ctx(extCtx, new Config(), output);
  for (const feature of [statusBar, server, serverProgress, repl, build, showStatus, buildLog, measure, statements, cpuTarget]) {
    feature.activate(ctx);
  }
  const julia = juliaRepl.activate(ctx);
  // Not awaited: activation must not wait for the server (it may be missing or slow), nor for the
  // Julia extension. Its Julia is the server's when juliaSysimage.juliaPath is empty, so only then
  // does the start wait for it; its environment and version matter once the server runs.
  const resolved = julia.resolve().catch(() => false);
  const c = ctx;
  void (c.config.juliaPath ? c.start() : resolved.then(() => c.start()));
  void resolved.then(() => julia.onStatus());
}

export async function deactivate(): Promise<void> {
  // Sends shutdown/exit so the server ends cleanly; the extension's own cleanup follows.
  await ctx?.stop();
  ctx = undefined;
}
