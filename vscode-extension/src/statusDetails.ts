// The rows of "Show status" (a quick pick): image, packages baked in, diff, statements, last TTFX,
// then actions. Pure; features/showStatus.ts shows them.
import type { Status } from './protocol';
import { CommandIds } from './ids';
import { baseName, formatAge, formatSeconds, measurementGain, plural } from './format';

export interface DetailRow {
  /** separators group the rows that follow */
  kind: 'separator' | 'info' | 'action';
  label: string;
  description?: string;
  detail?: string;
  /** for actions: the command to run with [project] */
  command?: string;
  /** for info rows: text copied to the clipboard when chosen */
  copy?: string;
}

export function statusDetailRows(s: Status, canBuild: boolean): DetailRow[] {
  const rows: DetailRow[] = [];
  const sep = (label: string) => rows.push({ kind: 'separator', label });
  const info = (label: string, description?: string, detail?: string, copy?: string) =>
    rows.push({ kind: 'info', label, description, detail, copy });

  sep('Project');
  info(`$(folder) ${s.name}`, s.kind === 'default' ? 'default environment' : undefined, s.project, s.project);
  if (s.julia.error) info(`$(error) Julia unusable`, s.julia.errorKind, s.julia.error, s.julia.path || undefined);
  else info(`$(symbol-namespace) Julia ${s.julia.version}`, undefined, s.julia.path, s.julia.path);

  sep('Sysimage');
  const img = s.image;
  if (img) {
    info(
      `$(package) ${baseName(img.path)}`,
      `built ${formatAge(img.ageSeconds)}`,
      `${plural(img.statements, 'statement')} · Julia ${img.juliaVersion} · CPU target ${img.cpuTarget} · ${img.backend} backend`,
      img.path,
    );
    if (s.staleness && s.staleness.state !== 'upToDate') {
      info(`$(warning) ${stalenessLabel(s.staleness.state)}`, undefined, (s.staleness.reasons ?? []).join('; ') || undefined);
    }
  } else {
    info('$(circle-large-outline) No sysimage', canBuild ? 'build one with "Build sysimage"' : 'this server does not build sysimages yet');
  }

  if (img?.packages.length) {
    sep(`Packages baked in (${img.packages.length})`);
    for (const p of img.packages) info(`$(library) ${p.name}`, p.version ?? undefined);
  }

  const diff = s.staleness?.diff ?? [];
  if (diff.length) {
    sep(`Changes since the build (${diff.length})`);
    for (const d of diff) {
      const versions = d.old && d.new ? `${d.old} → ${d.new}` : d.new || d.old || undefined;
      info(`$(diff) ${d.name}`, [d.change, versions].filter((x) => x).join(' '), d.reason);
    }
  }
  const me = s.staleness?.manifestError;
  if (me) info(`$(error) ${me.file}${me.line > 0 ? `:${me.line}` : ''}`, 'manifest unreadable', me.message, me.file);

  sep('Precompile statements');
  const c = s.statements;
  const extra = [
    c.newSinceBuild && img ? `${c.newSinceBuild} new since the build` : '',
    c.nonPortable ? `${c.nonPortable} non-portable` : '',
    c.excluded ? `${c.excluded} excluded` : '',
    c.invalidLines ? plural(c.invalidLines, 'invalid line') : '',
  ].filter((x) => x);
  info(`$(list-unordered) ${c.total} recorded`, extra.join(', ') || undefined, `store: ${s.store.dir}${s.store.degraded ? ' (degraded: kept in memory)' : ''}`, s.store.dir);
  if (c.outsideProject) {
    const modules = (c.outsideModules ?? []).map((m) => `${m.module} ${m.statements}`).join(', ');
    info(`$(circle-slash) ${c.outsideProject} outside the project, never built`, modules, c.outsideModules?.[0]?.reason);
  }
  if (s.recording.sessions) info(`$(record) Recording ${plural(s.recording.sessions, 'Julia session')}`);
  if (s.recording.traceFile) {
    const seen = s.recording.traceFileSessions ? `${plural(s.recording.traceFileSessions, 'Julia session')} seen` : 'no Julia session yet';
    info('$(file) Stable trace file', seen, s.recording.traceFile, s.recording.traceFile);
  }

  const ttfx = img?.ttfx;
  const gain = measurementGain(ttfx);
  if (gain && ttfx) {
    sep('Last TTFX');
    info(`$(dashboard) ${gain}`, `bare Julia ${formatSeconds(ttfx.bare.median)}, median of ${plural(ttfx.runs, 'run')}`, ttfx.workload);
  }

  for (const w of s.warnings) info(`$(warning) ${w}`);

  sep('Actions');
  rows.push({ kind: 'action', label: '$(terminal) Start Julia REPL with recording', command: CommandIds.startRepl });
  if (canBuild) {
    rows.push({ kind: 'action', label: '$(tools) Build sysimage', command: CommandIds.build });
    rows.push({ kind: 'action', label: '$(output) Open build log', command: CommandIds.openBuildLog });
    rows.push({ kind: 'action', label: '$(dashboard) Measure TTFX', command: CommandIds.measure });
  }
  rows.push({ kind: 'action', label: '$(trash) Clear recorded statements', command: CommandIds.clearStatements });
  return rows;
}

function stalenessLabel(state: string): string {
  switch (state) {
    case 'suggested':
      return 'Rebuild suggested';
    case 'unsafe':
    case 'unusable':
      return 'Outdated: not used';
    default:
      return state;
  }
}
