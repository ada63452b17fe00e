// What the status bar item shows for a project: the pure mapping from the server's Status (plus
// the client's own state and Workspace Trust) to text, theme colour, Markdown tooltip and click
// command. features/statusBar.ts turns the result into a vscode.StatusBarItem.
import type { BuildInfo, ImageInfo, Staleness, Status } from './protocol';
import { CommandIds } from './ids';
import { sameProjectDir } from './statusStore';
import { baseName, codeSpan, commandLink, escapeMarkdown, formatAge, formatSeconds, measurementGain, plural } from './format';

/** State of the language client, as far as the status bar cares. */
export type ServerState = 'starting' | 'running' | 'stopped' | 'notFound';

/** Which face the item shows; the tests and the e2e test key on it. */
export type PresentationKind =
  | 'serverStarting'
  | 'serverStopped'
  | 'serverNotFound'
  | 'waitingForStatus'
  | 'juliaNotFound'
  | 'juliaUnusable'
  | 'building'
  | 'buildQueued'
  | 'buildFailed'
  | 'noSysimage'
  | 'upToDate'
  | 'rebuildSuggested'
  | 'outdated';

/** Theme colours for the item's background (the only two VS Code allows there). */
export type StatusBarBackground = 'statusBarItem.warningBackground' | 'statusBarItem.errorBackground';

export interface ClickCommand {
  command: string;
  title: string;
  arguments?: unknown[];
}

export interface Presentation {
  kind: PresentationKind;
  /** may contain $(icon) references */
  text: string;
  background?: StatusBarBackground;
  /** Markdown; command links only to the commands in `tooltipCommands` */
  tooltip: string;
  /** commands the tooltip links to (for MarkdownString.isTrusted.enabledCommands) */
  tooltipCommands: string[];
  command?: ClickCommand;
  /** screen-reader label (the text without icons) */
  accessibilityLabel: string;
}

/** What the Julia extension's own REPL records and uses (features/juliaRepl.ts). */
export interface JuliaReplSummary {
  /** the project (environment directory) its REPL uses */
  project: string;
  /** our `--trace-compile=` entry is in `julia.additionalArgs` */
  recording: boolean;
  /** the image of our `--sysimage=` entry, when there is one */
  sysimage?: string;
  /** why it does not record, or has no sysimage, in words */
  why?: string;
}

/** The tooltip line: "Julia REPL: recording, sysimage X", or why not. */
export function juliaReplLine(r: JuliaReplSummary): string {
  const image = r.sysimage ? `sysimage ${codeSpan(baseName(r.sysimage))}` : 'no sysimage';
  const why = r.why ? ` (${escapeMarkdown(r.why)})` : '';
  if (!r.recording) return `$(circle-slash) Julia REPL: not recording${r.sysimage ? `, ${image}` : ''}${why}`;
  return `$(record) Julia REPL: recording, ${image}${r.sysimage ? '' : why}`;
}

export interface PresentationInput {
  server: ServerState;
  /** why the server is stopped or not found */
  serverMessage?: string;
  /** the active project's status, once the server sent it */
  status?: Status;
  /** vscode.workspace.isTrusted */
  trusted: boolean;
  /** the server offers `sysimage.build` (older servers do not) */
  canBuild: boolean;
  /** the Julia extension's REPL, when that extension is installed */
  juliaRepl?: JuliaReplSummary;
}

const openSettings = 'workbench.action.openSettings';
const manageTrust = 'workbench.trust.manage';

/** Maps the inputs to what the status bar item shows. */
export function presentStatus(input: PresentationInput): Presentation {
  const p = basePresentation(input);
  if (!input.trusted) return restricted(p);
  return p;
}

function basePresentation(input: PresentationInput): Presentation {
  switch (input.server) {
    case 'starting':
      return make('serverStarting', '$(sync~spin) Sysimage server starting', 'Starting the Julia Sysimage server…');
    case 'notFound':
      return make(
        'serverNotFound',
        '$(error) Sysimage server not found',
        [input.serverMessage ?? 'The sysimage-server executable was not found.', '', commandLink('Open settings', openSettings, ['juliaSysimage.serverPath'])].join('\n'),
        { background: 'statusBarItem.errorBackground', command: { command: openSettings, title: 'Open settings', arguments: ['juliaSysimage.serverPath'] }, links: [openSettings] },
      );
    case 'stopped':
      return make(
        'serverStopped',
        '$(debug-disconnect) Sysimage server stopped',
        [escapeMarkdown(input.serverMessage ?? 'The Julia Sysimage server is not running.'), '', commandLink('Restart server', CommandIds.restartServer)].join('\n'),
        { background: 'statusBarItem.errorBackground', command: { command: CommandIds.restartServer, title: 'Restart server' }, links: [CommandIds.restartServer] },
      );
    case 'running':
      break;
  }
  const s = input.status;
  if (!s) return make('waitingForStatus', '$(sync~spin) Sysimage', 'Waiting for the project status…');
  return presentProject(s, input.canBuild, input.juliaRepl);
}

function presentProject(s: Status, canBuild: boolean, juliaRepl: JuliaReplSummary | undefined): Presentation {
  const project = [s.project];
  const details = { command: CommandIds.showStatus, title: 'Show status', arguments: project };
  const rebuild = canBuild ? { command: CommandIds.build, title: 'Build sysimage', arguments: project } : details;
  const t = new Tooltip(s, canBuild, juliaRepl && sameProjectDir(juliaRepl.project, s.project) ? juliaRepl : undefined);

  if (s.julia.error) {
    const notFound = s.julia.errorKind === 'notFound';
    t.add(`$(error) ${escapeMarkdown(s.julia.error)}`);
    t.link('Set juliaSysimage.juliaPath', openSettings, ['juliaSysimage.juliaPath']);
    return t.done(notFound ? 'juliaNotFound' : 'juliaUnusable', notFound ? '$(error) Julia not found' : `$(error) ${juliaProblem(s.julia.errorKind)}`, {
      background: 'statusBarItem.errorBackground',
      command: { command: openSettings, title: 'Open settings', arguments: ['juliaSysimage.juliaPath'] },
    });
  }

  const b = s.build;
  if (b && (b.state === 'running' || b.state === 'queued')) {
    t.build(b);
    t.image(s.image);
    t.statements();
    t.link('Cancel build', CommandIds.cancelBuild, project);
    const cancel = { command: CommandIds.cancelBuild, title: 'Cancel build', arguments: project };
    if (b.state === 'queued') return t.done('buildQueued', '$(sync~spin) Build queued', { command: cancel });
    const pct = b.percentage !== undefined ? ` ${Math.round(b.percentage)} %` : '…';
    return t.done('building', `$(sync~spin) Building${pct}`, { command: cancel });
  }
  if (b && b.state === 'failed') {
    t.build(b);
    t.image(s.image);
    t.statements();
    t.link('Open build log', CommandIds.openBuildLog, project);
    return t.done('buildFailed', '$(error) Build failed', {
      background: 'statusBarItem.errorBackground',
      command: { command: CommandIds.openBuildLog, title: 'Open build log', arguments: project },
    });
  }

  const state = s.image ? s.staleness?.state ?? 'upToDate' : 'none';
  switch (state) {
    case 'none':
      t.add(canBuild ? 'No sysimage yet.' : 'No sysimage: this sysimage-server does not build sysimages yet.');
      t.statements();
      t.staleness(s.staleness);
      return t.done('noSysimage', '$(circle-large-outline) No sysimage', { command: rebuild });
    case 'upToDate':
      t.add('$(pass) The sysimage is up to date.');
      t.image(s.image);
      t.statements();
      return t.done('upToDate', '$(pass) Sysimage ✓', { command: details });
    case 'suggested':
      t.add('$(warning) A rebuild is suggested.');
      t.staleness(s.staleness);
      t.image(s.image);
      t.statements();
      return t.done('rebuildSuggested', '$(warning) Sysimage: rebuild suggested', { background: 'statusBarItem.warningBackground', command: rebuild });
    case 'unsafe':
    case 'unusable':
      t.add(
        state === 'unsafe'
          ? '$(warning) Packages baked into the sysimage changed: Julia starts without it until it is rebuilt.'
          : '$(error) The sysimage cannot be used any more (Julia or the environment changed): Julia starts without it until it is rebuilt.',
      );
      t.staleness(s.staleness);
      t.image(s.image);
      t.statements();
      return t.done('outdated', '$(warning) Sysimage outdated — not used', {
        background: state === 'unsafe' ? 'statusBarItem.warningBackground' : 'statusBarItem.errorBackground',
        command: rebuild,
      });
  }
}

function juliaProblem(kind: string | undefined): string {
  switch (kind) {
    case 'tooOld':
      return 'Julia too old';
    case 'notExecutable':
    case 'notJulia':
      return 'Julia not usable';
    case 'timeout':
      return 'Julia not responding';
    default:
      return 'Julia failed';
  }
}

/** Restricted Mode: say so first, and let a click manage trust. */
function restricted(p: Presentation): Presentation {
  const note =
    '$(workspace-untrusted) **Restricted Mode**: this folder is not trusted, so its own values of ' +
    '`juliaSysimage.juliaPath` and `juliaSysimage.serverPath` are ignored; only your user settings (or PATH) choose what runs. ' +
    commandLink('Manage Workspace Trust', manageTrust);
  const label = stripIcons(p.text);
  return {
    ...p,
    kind: p.kind,
    text: `$(workspace-untrusted) Restricted Mode · ${label}`,
    tooltip: `${note}\n\n---\n\n${p.tooltip}`,
    tooltipCommands: [...new Set([...p.tooltipCommands, manageTrust])],
    command: p.command ?? { command: manageTrust, title: 'Manage Workspace Trust' },
    accessibilityLabel: `Julia Sysimage: Restricted Mode, ${p.accessibilityLabel.replace(/^Julia Sysimage: /, '')}`,
  };
}

function make(
  kind: PresentationKind,
  text: string,
  tooltip: string,
  extra: { background?: StatusBarBackground; command?: ClickCommand; links?: string[] } = {},
): Presentation {
  return {
    kind,
    text,
    tooltip: `**Julia Sysimage**\n\n${tooltip}`,
    tooltipCommands: extra.links ?? [],
    background: extra.background,
    command: extra.command,
    accessibilityLabel: `Julia Sysimage: ${stripIcons(text)}`,
  };
}

function stripIcons(text: string): string {
  return text.replace(/\$\([^)]*\)\s*/g, '').trim();
}

/** Builds the Markdown tooltip of a project, section by section. */
class Tooltip {
  private readonly parts: string[] = [];
  private readonly links: string[] = [];
  private readonly linkCommands = new Set<string>();

  constructor(
    private readonly s: Status,
    private readonly canBuild: boolean,
    private readonly juliaRepl: JuliaReplSummary | undefined,
  ) {
    const julia = s.julia.version ? `Julia ${escapeMarkdown(s.julia.version)}` : 'Julia';
    this.parts.push(`**${escapeMarkdown(s.name)}** · ${julia}${s.kind === 'default' ? ' · default environment' : ''}`);
    this.parts.push(`Project: ${codeSpan(s.project)}`);
  }

  add(line: string): void {
    this.parts.push(line);
  }

  link(label: string, command: string, args?: unknown[]): void {
    this.links.push(commandLink(label, command, args));
    this.linkCommands.add(command);
  }

  /** Recorded statement counts (always shown: the e2e test reads this line). */
  statements(): void {
    const c = this.s.statements;
    const extra: string[] = [];
    // Without an image every statement is "new since the build": not worth saying.
    if (c.newSinceBuild && this.s.image) extra.push(`${c.newSinceBuild} new since the build`);
    if (c.nonPortable) extra.push(`${c.nonPortable} non-portable`);
    if (c.excluded) extra.push(`${c.excluded} excluded`);
    if (c.invalidLines) extra.push(plural(c.invalidLines, 'invalid line'));
    this.parts.push(`Recorded precompile statements: **${c.total}**${extra.length ? ` (${extra.join(', ')})` : ''}`);
    if (c.outsideProject) {
      const modules = (c.outsideModules ?? []).slice(0, 3).map((m) => `${escapeMarkdown(m.module)} ${m.statements}`);
      this.parts.push(`${plural(c.outsideProject, 'statement')} of modules outside the project, never built: ${modules.join(', ')}${(c.outsideModules?.length ?? 0) > 3 ? ', …' : ''}`);
    }
    const sessions = this.s.recording.sessions;
    if (sessions) this.parts.push(`$(record) Recording ${plural(sessions, 'Julia session')}`);
    if (this.juliaRepl) this.parts.push(juliaReplLine(this.juliaRepl));
  }

  image(img: ImageInfo | null | undefined): void {
    if (!img) return;
    this.parts.push(
      `Sysimage built ${formatAge(img.ageSeconds)} from ${plural(img.statements, 'statement')} ` +
        `(Julia ${escapeMarkdown(img.juliaVersion)}, CPU target ${codeSpan(img.cpuTarget)}, ${escapeMarkdown(img.backend)} backend, ` +
        `${plural(img.packages.length, 'package')})`,
    );
    const gain = measurementGain(img.ttfx);
    if (gain && img.ttfx) this.parts.push(`Last TTFX: ${gain} (bare Julia ${formatSeconds(img.ttfx.bare.median)})`);
  }

  staleness(st: Staleness | null | undefined): void {
    if (!st) return;
    const diff = st.diff ?? [];
    // Reasons usually name the diff's packages one by one: list those not covered by the table.
    const reasons = (st.reasons ?? []).filter((r) => !diff.some((d) => r.startsWith(`${d.name} `)));
    for (const r of reasons) this.parts.push(`- ${escapeMarkdown(r)}`);
    if (diff.length) {
      const versions = (d: (typeof diff)[number]) => (d.old && d.new ? `${d.old} → ${d.new}` : d.new || d.old || '');
      // Standard libraries have no versions: then no Version column.
      const withVersions = diff.some((d) => versions(d) !== '');
      const rows = diff.slice(0, 10).map((d) =>
        withVersions
          ? `| ${escapeMarkdown(d.name)} | ${escapeMarkdown(d.change)} | ${escapeMarkdown(versions(d))} |`
          : `| ${escapeMarkdown(d.name)} | ${escapeMarkdown(d.change)} |`,
      );
      if (diff.length > 10) rows.push(withVersions ? `| … ${diff.length - 10} more | | |` : `| … ${diff.length - 10} more | |`);
      const head = withVersions ? ['| Package | Change | Version |', '|---|---|---|'] : ['| Package | Change |', '|---|---|'];
      this.parts.push([...head, ...rows].join('\n'));
    }
    for (const me of [st.manifestError, st.projectError, st.configError]) {
      if (!me) continue;
      // 1-based; the server sends 0 when it does not know the position.
      const where = me.line > 0 ? [me.line, me.column].filter((x) => x > 0).join(':') : '';
      this.parts.push(`$(error) ${codeSpan(me.file + (where ? `:${where}` : ''))}: ${escapeMarkdown(me.message)}`);
    }
  }

  build(b: BuildInfo): void {
    switch (b.state) {
      case 'queued':
        this.parts.push('$(clock) A sysimage build is queued.');
        break;
      case 'running': {
        const pct = b.percentage !== undefined ? ` ${Math.round(b.percentage)} %` : '';
        const phase = b.phase ? ` (${escapeMarkdown(b.phase)})` : '';
        this.parts.push(`$(sync~spin) Building the sysimage:${pct}${phase}`);
        if (b.message) this.parts.push(escapeMarkdown(b.message));
        break;
      }
      case 'failed':
        this.parts.push(`$(error) The last build failed${b.error ? `: ${escapeMarkdown(b.error)}` : '.'}`);
        break;
      default:
        break;
    }
  }

  done(
    kind: PresentationKind,
    text: string,
    extra: { background?: StatusBarBackground; command?: ClickCommand },
  ): Presentation {
    const s = this.s;
    if (s.store.degraded) {
      this.parts.push(`$(warning) The statement store cannot be written${s.store.error ? `: ${escapeMarkdown(s.store.error)}` : ''}; statements are kept in memory.`);
    }
    for (const w of s.warnings) this.parts.push(`$(warning) ${escapeMarkdown(w)}`);
    const args = [s.project];
    const standard: [string, string][] = [
      ['Details', CommandIds.showStatus],
      ['Start REPL', CommandIds.startRepl],
    ];
    if (this.canBuild && kind !== 'building' && kind !== 'buildQueued') standard.push(['Build', CommandIds.build]);
    for (const [label, command] of standard) {
      if (!this.linkCommands.has(command)) this.link(label, command, args);
    }
    const tooltip = [...this.parts, this.links.join(' · ')].join('\n\n');
    return {
      kind,
      text,
      tooltip,
      tooltipCommands: [...this.linkCommands],
      background: extra.background,
      command: extra.command,
      accessibilityLabel: `Julia Sysimage: ${stripIcons(text)}, ${s.name}, ${s.statements.total} recorded statements`,
    };
  }
}
