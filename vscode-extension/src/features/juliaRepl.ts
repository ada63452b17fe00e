// "Record and use sysimages in the Julia REPL": the Julia extension's own REPL records into the
// project's stable trace file and starts with the project's usable sysimage, through our two kinds
// of entries in the workspace's `julia.additionalArgs` (juliaArgs.ts). Here: the offer (once per
// workspace), the commands that turn it on and off, keeping the entries true as images are published
// or go stale, and adopting the Julia extension's Julia and environment. Never writes anything in
// Restricted Mode.
import * as vscode from 'vscode';
import type { Ctx, RunningCtx } from '../ctx';
import { errorMessage } from '../errors';
import { baseName } from '../format';
import { MergeResult, mergeArgs, parseArgs, removeOurArgs, sameList } from '../juliaArgs';
import * as je from '../juliaExtension';
import type { Status } from '../protocol';

/** How long the Julia extension may take to activate and answer. */
const apiTimeoutMs = 10_000;

/** workspaceState keys (per workspace). */
const keys = {
  /** boolean: the user turned it on */
  enabled: 'juliaSysimage.juliaRepl.enabled',
  /** boolean: "Don't ask again" */
  dontAsk: 'juliaSysimage.juliaRepl.dontAsk',
  /** string[]: our entries as last written (recognised even if their shape changes) */
  written: 'juliaSysimage.juliaRepl.written',
  /** boolean: the workspace had no value of its own before ours (turning off removes it again) */
  created: 'juliaSysimage.juliaRepl.createdWorkspaceValue',
} as const;

export const offerMessage =
  'Julia Sysimage: record and use sysimages in the Julia REPL? This adds --trace-compile (and, while a sysimage is usable, ' +
  "--sysimage) to julia.additionalArgs in this workspace's settings.";
export const OfferActions = { enable: 'Enable', notNow: 'Not now', dontAsk: "Don't ask again" } as const;
const restartAction = 'Restart REPL';

export function activate(ctx: Ctx): JuliaRepl {
  const feature = new JuliaRepl(ctx);
  ctx.registerCommand('useInJuliaRepl', { enabled: (r) => () => feature.enable(r) });
  const stop = () => () => feature.disable();
  ctx.registerCommand('stopInJuliaRepl', { enabled: stop, disabled: stop });
  ctx.pushExtCleanup(ctx.statuses.onDidChange(() => feature.onStatus()));
  ctx.pushExtCleanup(ctx.onDidChangeServerState((state) => state === 'running' && feature.onStatus()));
  ctx.pushExtCleanup(vscode.workspace.onDidGrantWorkspaceTrust(() => feature.onTrust()));
  // Installed, enabled or updated meanwhile: its API, Julia and environment are read again.
  ctx.pushExtCleanup(vscode.extensions.onDidChange(() => feature.reresolve()));
  ctx.pushExtCleanup(vscode.workspace.onDidChangeConfiguration((e) => feature.onConfiguration(e)));
  return feature;
}

export class JuliaRepl {
  private api: je.JuliaExtensionApi | undefined;
  private julia: je.ReplJulia | undefined;
  private environment: string | undefined;
  /** the offer was shown in this window */
  private offered = false;
  /** settings work runs one step at a time */
  private queue: Promise<void> = Promise.resolve();
  /** the value we wrote last, to tell our own configuration events from the user's */
  private lastWritten: string[] | undefined;
  /** conflicts and problems already told about in this window */
  private readonly told = new Set<string>();

  constructor(private readonly ctx: Ctx) {}

  private get state(): vscode.Memento {
    return this.ctx.extCtx.workspaceState;
  }

  private get enabled(): boolean {
    return this.state.get<boolean>(keys.enabled, false);
  }

  /**
   * Reads the Julia extension's API, environment and Julia; the Julia becomes ours when
   * `juliaSysimage.juliaPath` is empty (Config.extensionJulia). Call before the server starts.
   * Returns whether our Julia changed.
   */
  async resolve(): Promise<boolean> {
    const before = this.ctx.config.extensionJulia;
    if (!je.juliaExtension()) {
      this.api = this.julia = this.environment = undefined;
    } else {
      this.api = await je.juliaApi(apiTimeoutMs);
      this.environment = await je.replEnvironment(this.api, apiTimeoutMs);
      this.julia = this.ctx.config.trusted ? await je.replJulia(this.api, apiTimeoutMs) : undefined;
    }
    this.ctx.config.extensionJulia = this.julia?.path;
    if (this.julia) this.ctx.output.appendLine(`The Julia extension runs ${this.julia.path}${this.julia.version ? ` (Julia ${this.julia.version})` : ''} in ${this.environment ?? 'its default environment'}.`);
    return this.ctx.config.extensionJulia !== before;
  }

  /** The project its REPL uses, as a key for the server: its environment, else the first folder. */
  private projectKey(): string | undefined {
    return this.environment ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  onStatus(): void {
    void this.enqueue(async () => {
      await this.maybeOffer();
      await this.sync();
    });
  }

  /** Trusted now: the Julia extension's Julia may be used (the server restarts meanwhile). */
  onTrust(): void {
    this.reresolve();
  }

  /**
   * Reads the Julia extension's Julia and environment again (it was installed, enabled, trusted or
   * reconfigured), tells the server when its Julia changed, then offers and syncs.
   */
  reresolve(): void {
    void this.enqueue(async () => {
      if (await this.resolve()) await this.ctx.sendSettings();
      await this.maybeOffer();
      await this.sync();
    });
  }

  onConfiguration(e: vscode.ConfigurationChangeEvent): void {
    if (e.affectsConfiguration('julia.executablePath') || e.affectsConfiguration('julia.environmentPath')) {
      this.reresolve();
    } else if (e.affectsConfiguration('julia.additionalArgs')) {
      void this.enqueue(() => this.onArgsEdited());
    }
  }

  /** Runs step after the steps queued before it; the promise settles when it has run. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step).catch((err) => this.ctx.output.appendLine(`Julia REPL settings: ${errorMessage(err)}`));
    return this.queue;
  }

  // ------------------------------------------------------------------------------------------
  // The offer and the commands

  private async maybeOffer(): Promise<void> {
    if (this.offered || this.enabled || this.state.get<boolean>(keys.dontAsk) || !je.juliaExtension()) return;
    if (!this.ctx.config.trusted || this.ctx.serverState !== 'running') return;
    const status = await this.ctx.statusFor(this.projectKey());
    if (!status || status.kind !== 'project' || status.julia.error || !status.recording.traceFile) return;
    this.offered = true;
    // Not awaited inside the queue: the notification may stay open for a long time.
    void vscode.window.showInformationMessage(offerMessage, OfferActions.enable, OfferActions.notNow, OfferActions.dontAsk).then((choice) => {
      if (choice === OfferActions.enable) {
        const r = this.ctx.running();
        if (r) void this.enable(r);
      } else if (choice === OfferActions.dontAsk) {
        void this.state.update(keys.dontAsk, true);
      }
      // "Not now" or dismissed: asked again the next time the workspace is opened.
    });
  }

  /** "Record and use sysimages in the Julia REPL". */
  enable({ ctx }: RunningCtx): Promise<void> {
    return this.enqueue(async () => {
      // Trust first: in Restricted Mode the Julia extension is disabled, so it looks missing too.
      if (!ctx.config.trusted) {
        void vscode.window.showWarningMessage('Julia Sysimage: this folder is not trusted (Restricted Mode), so no settings are changed.');
        return;
      }
      if (!je.juliaExtension()) {
        void vscode.window.showWarningMessage(`Julia Sysimage: the Julia extension (${je.juliaExtensionId}) is not installed, so there is no Julia REPL to set up.`);
        return;
      }
      const status = await ctx.statusFor(this.projectKey());
      if (!status || status.kind !== 'project') {
        void vscode.window.showWarningMessage('Julia Sysimage: the Julia REPL uses no project of this workspace (open a folder with a Project.toml).');
        return;
      }
      if (!status.recording.traceFile) {
        void vscode.window.showWarningMessage('Julia Sysimage: this sysimage-server names no stable trace file; update it to record in the Julia REPL.');
        return;
      }
      await this.state.update(keys.enabled, true);
      await this.state.update(keys.dontAsk, undefined);
      const merged = await this.sync({ quiet: true });
      if (!merged || merged.userTraceCompile) return; // what stands in the way was said
      const image = merged.sysimageAfter ? ` and starts with the sysimage ${baseName(merged.sysimageAfter)}` : '';
      void this.notify(
        `Julia Sysimage: the Julia REPL of ${status.name} records into ${status.recording.traceFile}${image} from its next start ` +
          `(julia.additionalArgs of this workspace). Undo with "Julia Sysimage: Stop recording and using sysimages in the Julia REPL".`,
      );
    });
  }

  /** "Stop recording and using sysimages in the Julia REPL": removes exactly our entries. */
  disable(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.ctx.config.trusted) {
        void vscode.window.showWarningMessage('Julia Sysimage: this folder is not trusted (Restricted Mode), so no settings are changed.');
        return;
      }
      const config = vscode.workspace.getConfiguration('julia');
      const inspected = config.inspect<unknown>('additionalArgs');
      const parsed = parseArgs(inspected?.workspaceValue);
      if (!parsed.ok) {
        void vscode.window.showWarningMessage(`Julia Sysimage: ${parsed.reason}; it is left as it is.`);
        return;
      }
      const { args, removed } = removeOurArgs(parsed.args, this.known());
      const global = parseArgs(inspected?.globalValue);
      // We made the workspace value (a copy of the user's, plus ours): without ours it goes again.
      const value = this.state.get<boolean>(keys.created) && global.ok && sameList(args, global.args) ? undefined : args;
      if (removed.length > 0 || (value === undefined && inspected?.workspaceValue !== undefined)) {
        await this.write(value);
      }
      await this.forget();
      await this.sync();
      void this.notify(
        removed.length
          ? `Julia Sysimage: removed ${removed.join(' ')} from julia.additionalArgs; the Julia REPL neither records nor uses sysimages from its next start.`
          : 'Julia Sysimage: julia.additionalArgs has none of its entries; nothing to remove.',
      );
    });
  }

  /** Turned off: forgets that it was on, our entries and whether we created the workspace value. */
  private async forget(): Promise<void> {
    await this.state.update(keys.enabled, false);
    await this.state.update(keys.written, undefined);
    await this.state.update(keys.created, undefined);
  }

  /** The user edited julia.additionalArgs: if our entries are gone, that turns it off. */
  private async onArgsEdited(): Promise<void> {
    if (!this.enabled || !this.ctx.config.trusted) return;
    const current = parseArgs(vscode.workspace.getConfiguration('julia').inspect<unknown>('additionalArgs')?.workspaceValue);
    if (current.ok && this.lastWritten && sameList(current.args, this.lastWritten)) return; // our own write
    const written = this.state.get<string[]>(keys.written, []);
    if (current.ok && written.length > 0 && !written.some((w) => current.args.includes(w))) {
      await this.forget();
      void vscode.window.showInformationMessage(
        'Julia Sysimage: its entries were removed from julia.additionalArgs, so it stops recording and using sysimages in the Julia REPL. ' +
          'Turn it on again with "Julia Sysimage: Record and use sysimages in the Julia REPL".',
      );
    }
    await this.sync();
  }

  // ------------------------------------------------------------------------------------------
  // Keeping the entries true

  private known(): Set<string> {
    return new Set(this.state.get<string[]>(keys.written, []));
  }

  private async write(value: string[] | undefined): Promise<void> {
    this.lastWritten = value;
    await vscode.workspace.getConfiguration('julia').update('additionalArgs', value, vscode.ConfigurationTarget.Workspace);
  }

  /**
   * Brings julia.additionalArgs in line with the project's status (when on, trusted and the
   * server answers) and publishes the summary the status bar shows. Returns the merge, if any.
   */
  private async sync(opts: { quiet?: boolean } = {}): Promise<MergeResult | undefined> {
    if (!je.juliaExtension()) {
      this.ctx.setJuliaRepl(undefined);
      return undefined;
    }
    const key = this.projectKey();
    const status = await this.ctx.statusFor(key);
    const summary = (recording: boolean, why?: string, sysimage?: string): void =>
      this.ctx.setJuliaRepl({ project: status?.project ?? key ?? '', recording, why, sysimage });
    if (!this.enabled) {
      summary(false, 'not set up: run "Julia Sysimage: Record and use sysimages in the Julia REPL"');
      return undefined;
    }
    if (!this.ctx.config.trusted) {
      summary(false, 'Restricted Mode: julia.additionalArgs is not changed');
      return undefined;
    }
    if (!status) {
      summary(false, 'waiting for the sysimage server');
      return undefined;
    }
    if (status.julia.error) {
      // Left as it is until Julia works again (the trace file lives in a per-version directory).
      summary(false, `Julia is unavailable: ${status.julia.error}`);
      return undefined;
    }
    const traceFile = status.recording.traceFile;
    if (!traceFile) {
      summary(false, 'this sysimage-server has no stable trace file');
      return undefined;
    }
    const config = vscode.workspace.getConfiguration('julia');
    const inspected = config.inspect<unknown>('additionalArgs');
    const created = inspected?.workspaceValue === undefined;
    // Without a workspace value the user's own (global) entries apply: keep them in ours.
    const parsed = parseArgs(created ? inspected?.globalValue : inspected?.workspaceValue);
    if (!parsed.ok) {
      this.tellOnce(parsed.reason, `Julia Sysimage: ${parsed.reason}, so it is left as it is and the Julia REPL is not set up.`);
      summary(false, parsed.reason);
      return undefined;
    }
    const image = this.usableImage(status);
    const merged = mergeArgs(parsed.args, { traceFile, sysimage: image.path }, this.known());
    if (merged.changed) {
      await this.write(merged.args);
      if (created) await this.state.update(keys.created, true);
      this.ctx.output.appendLine(`julia.additionalArgs (workspace) = ${JSON.stringify(merged.args)}`);
    } else {
      this.lastWritten = merged.args;
    }
    if (!sameList(merged.ours, this.state.get<string[]>(keys.written, []))) await this.state.update(keys.written, merged.ours);
    if (merged.userSysimage) {
      this.tellOnce(
        `sysimage ${merged.userSysimage}`,
        `Julia Sysimage: julia.additionalArgs already has your own "${merged.userSysimage}". It is left as it is, so the Julia REPL does not use the sysimages built here; remove it to use them.`,
      );
    }
    if (merged.userTraceCompile) {
      this.tellOnce(
        `trace ${merged.userTraceCompile}`,
        `Julia Sysimage: julia.additionalArgs already has your own "${merged.userTraceCompile}". It is left as it is, so nothing the Julia REPL compiles is recorded here; remove it to record.`,
      );
    }
    const why = merged.userSysimage ? 'your own sysimage option is in julia.additionalArgs' : image.why;
    const sysimage = merged.sysimageAfter ? merged.sysimageAfter.slice('--sysimage='.length) : undefined;
    summary(!merged.userTraceCompile, merged.userTraceCompile ? 'your own --trace-compile is in julia.additionalArgs' : why, sysimage);
    if (!opts.quiet && merged.sysimageBefore !== merged.sysimageAfter) void this.tellRestart(status, sysimage, why);
    return merged;
  }

  /** The image the REPL may start with, or why none. */
  private usableImage(status: Status): { path?: string; why?: string } {
    const img = status.image;
    if (!img) return { why: 'no sysimage built yet' };
    if (!img.usable) {
      const reasons = status.staleness?.reasons ?? [];
      const more = reasons.length > 3 ? ` and ${reasons.length - 3} more` : '';
      return { why: `the sysimage is out of date${reasons.length ? `: ${reasons.slice(0, 3).join(', ')}${more}` : ''}` };
    }
    // An image only loads into the Julia that built it.
    const replVersion = this.julia?.version;
    if (replVersion && img.juliaVersion && replVersion !== img.juliaVersion) {
      return { why: `the Julia extension runs Julia ${replVersion}, the sysimage is for Julia ${img.juliaVersion}` };
    }
    return { path: img.path };
  }

  /** julia-vscode reads the arguments at each REPL start: tell a running REPL's user to restart it. */
  private async tellRestart(status: Status, sysimage: string | undefined, why: string | undefined): Promise<void> {
    if (!je.replRunning()) return;
    await this.notify(
      sysimage
        ? `Julia Sysimage: the Julia REPL starts with the new sysimage of ${status.name} (${baseName(sysimage)}) from its next start.`
        : `Julia Sysimage: the Julia REPL starts without a sysimage from its next start${why ? `: ${why}` : ''}.`,
    );
  }

  /** An information message, with "Restart REPL" when its REPL runs and the command exists. */
  private async notify(message: string): Promise<void> {
    const actions = je.replRunning() && (await je.canRestartRepl()) ? [restartAction] : [];
    const choice = await vscode.window.showInformationMessage(message, ...actions);
    if (choice === restartAction) await vscode.commands.executeCommand(je.restartReplCommand);
  }

  private tellOnce(key: string, message: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    void vscode.window.showWarningMessage(message);
  }
}
