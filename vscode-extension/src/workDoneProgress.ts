// Shows one LSP work done progress token as a notification: title, percentage bar, "45 % · phase"
// message, and a Cancel button that sends `window/workDoneProgress/cancel`. Used for builds the
// extension starts (its own token) and for those the server starts (tokens it creates).
import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';
import { progressMessage } from './buildMessages';

export interface ProgressView extends vscode.Disposable {
  /** settles when the progress ended (`end`) or the view was disposed */
  readonly done: Promise<void>;
}

/**
 * @param initial show the notification at once with this title (else on the `begin` report)
 */
export function showWorkDoneProgress(
  client: lc.LanguageClient,
  token: lc.ProgressToken,
  initial?: { title: string; cancellable: boolean },
): ProgressView {
  let finished = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let started = false;
  let reported = 0;
  const pending: { message?: string; percentage?: number }[] = [];

  const report = (v: { message?: string; percentage?: number }): void => {
    if (!progress) {
      pending.push(v);
      return;
    }
    let increment: number | undefined;
    if (v.percentage !== undefined) {
      // Percentages never go down (docs/protocol.md); VS Code wants increments.
      const pct = Math.max(0, Math.min(100, v.percentage));
      increment = Math.max(0, pct - reported);
      reported += increment;
    }
    progress.report({ message: progressMessage(v.percentage, v.message), increment });
  };

  const start = (title: string, cancellable: boolean): void => {
    if (started || finished) return;
    started = true;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable }, (p, cancel) => {
      progress = p;
      const sub = cancel.onCancellationRequested(() => {
        void client.sendNotification(lc.WorkDoneProgressCancelNotification.type, { token });
      });
      for (const v of pending.splice(0)) report(v);
      return done.finally(() => sub.dispose());
    });
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    sub.dispose();
    resolveDone();
  };

  const sub = client.onProgress(lc.WorkDoneProgress.type, token, (v) => {
    switch (v.kind) {
      case 'begin':
        start(v.title, v.cancellable ?? false);
        report(v);
        break;
      case 'report':
        report(v);
        break;
      case 'end':
        finish();
        break;
    }
  });
  if (initial) start(initial.title, initial.cancellable);
  return { done, dispose: finish };
}
