// Work done progress the server starts on its own (`window/workDoneProgress/create`, e.g. a
// rebuild accepted from its offer) shown as notifications with a Cancel button. The language
// client's default shows them only as a status bar spinner, which cannot be cancelled.
import * as lc from 'vscode-languageclient/node';
import type { Ctx } from '../ctx';
import { ProgressView, showWorkDoneProgress } from '../workDoneProgress';

export function activate(ctx: Ctx): void {
  // After start: the client's own ProgressFeature registers its handler while starting, and the
  // last registration wins.
  ctx.onClientRunning((client) => {
    const views = new Set<ProgressView>();
    const handler = client.onRequest(lc.WorkDoneProgressCreateRequest.type, ({ token }) => {
      const view = showWorkDoneProgress(client, token);
      views.add(view);
      void view.done.then(() => views.delete(view));
    });
    return [handler, { dispose: () => views.forEach((v) => v.dispose()) }];
  });
}
