// The extension's shared state (rust-analyzer's Ctx): the language client and its lifecycle
// (start, stop, restart with backoff after a crash), the statuses the server reported, the
// commands, and two kinds of cleanup kept apart: for the extension's lifetime, and for the current
// client's (disposed whenever the client stops or crashes).
import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';
import { CommandFactory, CommandRegistry } from './commandRegistry';
import { Config } from './config';
import { errorMessage } from './errors';
import { CommandIds, CommandName, ContextKeys, configurationSection } from './ids';
import * as proto from './protocol';
import { resolveServerPath } from './serverPath';
import { StatusStore } from './statusStore';
import type { JuliaReplSummary, ServerState } from './statusPresentation';

/** What commands get while the server runs. */
export interface RunningCtx {
  ctx: Ctx;
  client: lc.LanguageClient;
}

type ClientHook = (client: lc.LanguageClient) => vscode.Disposable | vscode.Disposable[] | void;

/** Consecutive crashes after which the extension stops restarting the server by itself. */
const maxCrashes = 5;
/** A server that ran this long before crashing starts a fresh backoff. */
const healthyRunMs = 3 * 60_000;

export class Ctx {
  readonly statuses = new StatusStore();

  private client: lc.LanguageClient | undefined;
  private clientCleanup: vscode.Disposable[] = [];
  private readonly clientHooks: ClientHook[] = [];
  private readonly runningHooks: ClientHook[] = [];
  private readonly commands: CommandRegistry<RunningCtx, Ctx>;

  private state: ServerState = 'stopped';
  private stateMessage: string | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  /** Fires on every change of the server state (starting, running, stopped, notFound). */
  readonly onDidChangeServerState = this.stateEmitter.event;

  private juliaReplSummary: JuliaReplSummary | undefined;
  private readonly juliaReplEmitter = new vscode.EventEmitter<void>();
  /** Fires when what the Julia extension's REPL records and uses changes (features/juliaRepl.ts). */
  readonly onDidChangeJuliaRepl = this.juliaReplEmitter.event;

  private serverCommands = new Set<string>();
  /** The serverPath setting the current server was started with (a change restarts it). */
  private startedWithServerPath: string | undefined;
  /** The initialization options the running client was created with (JSON), to notice settings that changed while it started. */
  private startedWithOptions: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes = 0;
  private runningSince = 0;
  /** start/stop/restart run one after the other. */
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly pendingStatus = new Map<string, Promise<proto.Status | undefined>>();

  constructor(
    readonly extCtx: vscode.ExtensionContext,
    readonly config: Config,
    readonly output: vscode.OutputChannel,
  ) {
    this.pushExtCleanup(this.stateEmitter);
    this.pushExtCleanup(this.juliaReplEmitter);
    this.commands = new CommandRegistry<RunningCtx, Ctx>(
      (id, fn) => vscode.commands.registerCommand(id, fn),
      () => this.running(),
      this,
      (id) => this.notRunning(id),
    );
    // The one notification that drives the status bar (and everything else that shows status).
    this.onClient((client) => client.onNotification(proto.statusChanged, (s) => this.statuses.update(s)));
  }

  // ------------------------------------------------------------------------------------------
  // Cleanup

  /** Disposed when the extension deactivates. */
  pushExtCleanup(d: vscode.Disposable): void {
    this.extCtx.subscriptions.push(d);
  }

  /** Disposed when the current client stops, crashes or is replaced. */
  pushClientCleanup(d: vscode.Disposable): void {
    this.clientCleanup.push(d);
  }

  /**
   * Runs `hook` for every client this Ctx creates, before it starts (so no notification is
   * missed); what it returns is client cleanup.
   */
  onClient(hook: ClientHook): void {
    this.clientHooks.push(hook);
  }

  /** Runs `hook` for every client once it has started (after its own features registered). */
  onClientRunning(hook: ClientHook): void {
    this.runningHooks.push(hook);
  }

  // ------------------------------------------------------------------------------------------
  // Commands

  registerCommand(name: CommandName, factory: CommandFactory<RunningCtx, Ctx>): void {
    this.pushExtCleanup(this.commands.add(CommandIds[name], factory));
  }

  private notRunning(id: string): void {
    const what = this.state === 'starting' ? 'is still starting' : 'is not running';
    void vscode.window
      .showWarningMessage(`Julia Sysimage: the server ${what}, so "${id}" cannot run now.`, 'Restart server', 'Show output')
      .then((a) => {
        if (a === 'Restart server') void this.restart();
        else if (a === 'Show output') this.output.show();
      });
  }

  // ------------------------------------------------------------------------------------------
  // State

  get serverState(): ServerState {
    return this.state;
  }

  get serverMessage(): string | undefined {
    return this.stateMessage;
  }

  /** What the Julia extension's REPL records and uses; undefined when that extension is not installed. */
  get juliaRepl(): JuliaReplSummary | undefined {
    return this.juliaReplSummary;
  }

  setJuliaRepl(summary: JuliaReplSummary | undefined): void {
    if (JSON.stringify(summary) === JSON.stringify(this.juliaReplSummary)) return;
    this.juliaReplSummary = summary;
    this.juliaReplEmitter.fire();
  }

  /** Sends the current settings to the running server (`workspace/didChangeConfiguration`). */
  async sendSettings(): Promise<void> {
    const r = this.running();
    if (!r) return;
    try {
      await r.client.sendNotification(lc.DidChangeConfigurationNotification.type, { settings: this.config.didChangeConfigurationSettings() });
    } catch (err) {
      this.output.appendLine(`workspace/didChangeConfiguration: ${errorMessage(err)}`);
    }
  }

  /** The running client, or undefined while the server is down. */
  running(): RunningCtx | undefined {
    return this.client && this.state === 'running' ? { ctx: this, client: this.client } : undefined;
  }

  /** Whether the running server offers a `workspace/executeCommand` command (e.g. sysimage.build). */
  serverOffers(command: proto.ServerCommand): boolean {
    return this.state === 'running' && this.serverCommands.has(command);
  }

  private setState(state: ServerState, message?: string): void {
    this.state = state;
    this.stateMessage = message;
    void vscode.commands.executeCommand('setContext', ContextKeys.serverRunning, state === 'running');
    void vscode.commands.executeCommand('setContext', ContextKeys.serverCanBuild, state === 'running' && this.serverCommands.has(proto.Commands.build));
    this.stateEmitter.fire(state);
  }

  /**
   * The key of the active project: the workspace folder of the active editor, else the first
   * folder, else the active file (the server resolves each to its project).
   */
  activeProjectKey(): string | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (folder) return folder.uri.fsPath;
    if (uri?.scheme === 'file') return uri.fsPath;
    return undefined;
  }

  /** `{project}` params for the active project, or for an explicit argument (path or Uri). */
  projectParams(arg?: unknown): proto.ProjectParams {
    if (typeof arg === 'string' && arg) return { project: arg };
    if (arg instanceof vscode.Uri) return { project: arg.fsPath };
    const key = this.activeProjectKey();
    return key ? { project: key } : {};
  }

  /** The known status for a project key, asking the server once when it is not known yet. */
  async statusFor(key: string | undefined): Promise<proto.Status | undefined> {
    const known = this.statuses.get(key);
    if (known) return known;
    const r = this.running();
    if (!r) return undefined;
    const k = key ?? '';
    let pending = this.pendingStatus.get(k);
    if (!pending) {
      pending = r.client.sendRequest(proto.status, key ? { project: key } : {}).then(
        (s) => {
          this.statuses.update(s, key);
          return s;
        },
        (e) => {
          this.output.appendLine(`sysimage/status for ${key ?? 'the default project'} failed: ${errorMessage(e)}`);
          return undefined;
        },
      );
      this.pendingStatus.set(k, pending);
      void pending.finally(() => this.pendingStatus.delete(k));
    }
    return pending;
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle

  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialize(() => this.doStop('Stopped.'));
  }

  /** Stops and starts again, with a fresh crash count (the "Restart server" command). */
  restart(): Promise<void> {
    return this.serialize(async () => {
      this.crashes = 0;
      await this.doStop('Restarting…');
      await this.doStart();
    });
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(step, step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    if (this.client) return;
    this.clearRestartTimer();
    this.serverCommands = new Set();
    this.setState('starting');

    const setting = this.config.serverPath;
    this.startedWithServerPath = setting;
    const found = resolveServerPath(
      {
        setting,
        extensionPath: this.extCtx.extensionPath,
        pathEnv: process.env['PATH'],
        homeDir: os.homedir(),
        baseDir: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      },
      isExecutableFile,
    );
    if (!this.config.trusted) {
      const set = this.config.ignoredWorkspaceSettings();
      this.output.appendLine(
        `Restricted Mode: workspace values of ${configurationSection}.juliaPath and ${configurationSection}.serverPath are ignored` +
          (set.length ? ` (this workspace sets ${set.join(', ')}).` : '.'),
      );
    }
    if (!found.ok) {
      this.output.appendLine(`${found.message}\nTried:\n${found.tried.map((c) => `  ${c.path} (${c.source})`).join('\n')}`);
      this.setState('notFound', found.message);
      void vscode.window.showErrorMessage(`Julia Sysimage: ${found.message}`, 'Open settings').then((a) => {
        if (a) void vscode.commands.executeCommand('workbench.action.openSettings', `${configurationSection}.serverPath`);
      });
      return;
    }
    this.output.appendLine(`Starting ${found.path} (found via ${found.source}).`);

    const client = this.createClient(found.path);
    this.client = client;
    this.runHooks(this.clientHooks, client);
    try {
      await client.start();
    } catch (e) {
      this.output.appendLine(`The server failed to start: ${errorMessage(e)}`);
      await this.onClientGone(client, `The server failed to start: ${errorMessage(e)}`);
      return;
    }
    if (this.client !== client) return; // it crashed while starting
    this.runHooks(this.runningHooks, client);
    this.runningSince = Date.now();
    const caps = client.initializeResult?.capabilities;
    this.serverCommands = new Set(caps?.executeCommandProvider?.commands ?? []);
    const version = (caps?.experimental as { sysimage?: { protocolVersion?: number } } | undefined)?.sysimage?.protocolVersion;
    if (version !== proto.protocolVersion) {
      this.output.appendLine(`Warning: the server speaks sysimage protocol version ${version ?? '(none)'}, this extension ${proto.protocolVersion}.`);
    }
    this.setState('running');
    // Settings that changed while the server started (e.g. the Julia extension's Julia, read after
    // trust was granted) reach it now: sendSettings does nothing before 'running'.
    if (JSON.stringify(this.config.initializationOptions()) !== this.startedWithOptions) void this.sendSettings();
    // Resolve each workspace folder to its project (the server sends their statuses too, but
    // keyed by project directory, which need not be the folder).
    for (const folder of vscode.workspace.workspaceFolders ?? []) void this.statusFor(folder.uri.fsPath);
  }

  private runHooks(hooks: ClientHook[], client: lc.LanguageClient): void {
    for (const hook of hooks) {
      const d = hook(client);
      if (Array.isArray(d)) this.clientCleanup.push(...d);
      else if (d) this.clientCleanup.push(d);
    }
  }

  private createClient(serverPath: string): lc.LanguageClient {
    const options = this.config.initializationOptions();
    this.startedWithOptions = JSON.stringify(options);
    // No `transport`: with TransportKind.stdio the client would add a `--stdio` argument.
    const serverOptions: lc.ServerOptions = { command: serverPath, args: [] };
    let client: lc.LanguageClient;
    const clientOptions: lc.LanguageClientOptions = {
      outputChannel: this.output,
      revealOutputChannelOn: lc.RevealOutputChannelOn.Never,
      initializationOptions: options,
      errorHandler: {
        error: (_error, _message, count) => ({
          action: (count ?? 0) <= 3 ? lc.ErrorAction.Continue : lc.ErrorAction.Shutdown,
          handled: true,
        }),
        closed: () => {
          void this.serialize(() => this.onClientGone(client, 'The server exited unexpectedly.'));
          return { action: lc.CloseAction.DoNotRestart, handled: true };
        },
      },
      middleware: {
        workspace: {
          // Answer `workspace/configuration` for our section with the trust-filtered values,
          // never with raw workspace settings.
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) return answer;
            const ours = this.config.didChangeConfigurationSettings().juliaSysimage as Record<string, unknown>;
            return params.items.map((item, i) => {
              if (item.section === configurationSection) return ours;
              if (item.section?.startsWith(`${configurationSection}.`)) return ours[item.section.slice(configurationSection.length + 1)] ?? null;
              return answer[i];
            });
          },
        },
      },
    };
    client = new lc.LanguageClient('juliaSysimage', 'Julia Sysimage', serverOptions, clientOptions);
    return client;
  }

  /** The client stopped on its own: clean up, then restart with backoff. */
  private async onClientGone(client: lc.LanguageClient, reason: string): Promise<void> {
    if (this.client !== client) return;
    this.client = undefined;
    this.disposeClientCleanup();
    this.statuses.clear();
    try {
      await client.dispose(1000);
    } catch {
      // already stopped
    }
    if (this.runningSince && Date.now() - this.runningSince > healthyRunMs) this.crashes = 0;
    this.runningSince = 0;
    this.crashes++;
    if (this.crashes > maxCrashes) {
      const msg = `${reason} It stopped ${maxCrashes} times in a row; not restarting it again.`;
      this.output.appendLine(msg);
      this.setState('stopped', msg);
      void vscode.window.showErrorMessage(`Julia Sysimage: ${msg}`, 'Restart server', 'Show output').then((a) => {
        if (a === 'Restart server') void this.restart();
        else if (a === 'Show output') this.output.show();
      });
      return;
    }
    const delayMs = Math.min(30_000, 1000 * 2 ** (this.crashes - 1));
    const msg = `${reason} Restarting in ${delayMs / 1000} s.`;
    this.output.appendLine(msg);
    this.setState('stopped', msg);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, delayMs);
  }

  private async doStop(message: string): Promise<void> {
    this.clearRestartTimer();
    const client = this.client;
    this.client = undefined;
    this.disposeClientCleanup();
    this.statuses.clear();
    if (client) {
      try {
        await client.stop(2000);
      } catch (e) {
        this.output.appendLine(`Stopping the server: ${errorMessage(e)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.setState('stopped', message);
  }

  private disposeClientCleanup(): void {
    const ds = this.clientCleanup;
    this.clientCleanup = [];
    for (const d of ds.reverse()) {
      try {
        d.dispose();
      } catch (e) {
        this.output.appendLine(`cleanup: ${errorMessage(e)}`);
      }
    }
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /** The serverPath setting differs from the one the current server was started with. */
  serverPathChanged(): boolean {
    return this.config.serverPath !== this.startedWithServerPath;
  }
}

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
