// The notice for protocol methods an older connected server does not serve (-32601).
import * as vscode from 'vscode';

export function showNotAvailable(what: string): void {
  void vscode.window.showInformationMessage(
    `Julia Sysimage: ${what} is not available with this sysimage-server yet (it arrives with the build work).`,
  );
}
