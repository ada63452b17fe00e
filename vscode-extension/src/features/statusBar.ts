// The status bar item: shows the active project's sysimage state (driven by
// `sysimage/statusChanged`), follows the active editor's folder, and says so in Restricted Mode.
// What it shows is decided by the pure statusPresentation.ts.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { statusBarItemId } from '../ids';
import { presentStatus, Presentation } from '../statusPresentation';

export function activate(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Left, 10);
  item.name = 'Julia Sysimage';
  ctx.pushExtCleanup(item);

  let last: Presentation | undefined;
  const render = (): void => {
    const key = ctx.activeProjectKey();
    const status = ctx.statuses.get(key);
    if (!status && ctx.serverState === 'running') void ctx.statusFor(key); // renders again when it arrives
    const p = presentStatus({
      server: ctx.serverState,
      serverMessage: ctx.serverMessage,
      status,
      trusted: vscode.workspace.isTrusted,
      canBuild: ctx.serverOffers('sysimage.build'),
      juliaRepl: ctx.juliaRepl,
    });
    if (last && same(last, p)) return;
    last = p;
    item.text = p.text;
    item.backgroundColor = p.background ? new vscode.ThemeColor(p.background) : undefined;
    const tooltip = new vscode.MarkdownString(p.tooltip, true);
    tooltip.isTrusted = { enabledCommands: p.tooltipCommands };
    item.tooltip = tooltip;
    item.command = p.command;
    item.accessibilityInformation = { label: p.accessibilityLabel };
    item.show();
  };

  ctx.pushExtCleanup(ctx.onDidChangeServerState(render));
  ctx.pushExtCleanup(ctx.statuses.onDidChange(render));
  ctx.pushExtCleanup(ctx.onDidChangeJuliaRepl(render));
  ctx.pushExtCleanup(vscode.window.onDidChangeActiveTextEditor(render));
  ctx.pushExtCleanup(vscode.workspace.onDidChangeWorkspaceFolders(render));
  ctx.pushExtCleanup(vscode.workspace.onDidGrantWorkspaceTrust(render));
  render();
}

function same(a: Presentation, b: Presentation): boolean {
  return (
    a.text === b.text &&
    a.tooltip === b.tooltip &&
    a.background === b.background &&
    JSON.stringify(a.command) === JSON.stringify(b.command) &&
    a.accessibilityLabel === b.accessibilityLabel
  );
}
