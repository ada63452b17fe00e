// The extension's settings as plain values, the Workspace Trust rule for the settings that name
// programs, and their translation into the server's initialization options. Pure: config.ts reads
// VS Code's configuration into these shapes.
import type { InitializationOptions, LogLevel } from './protocol';

/** Values of the `juliaSysimage.*` settings after the trust rule was applied. */
export interface Settings {
  /** empty or undefined: let the server look ($JULIA, PATH, …) */
  juliaPath?: string;
  /** empty or undefined: the repository build, a bundled binary, then PATH */
  serverPath?: string;
  /** empty or undefined: the nearest ancestor of the folder holding Project.toml */
  environmentPath?: string;
  cpuTarget: string;
  suggestRebuildAfterStatements: number;
  excludeNonPortableStatements: boolean;
  autoRecordRepl: boolean;
  logLevel: LogLevel;
}

export const defaultSettings: Settings = {
  cpuTarget: 'native',
  suggestRebuildAfterStatements: 100,
  excludeNonPortableStatements: false,
  autoRecordRepl: true,
  logLevel: 'info',
};

/**
 * Settings whose workspace values are ignored in Restricted Mode: they name programs to run
 * (package.json `capabilities.untrustedWorkspaces.restrictedConfigurations`).
 */
export const restrictedSettings = ['juliaPath', 'serverPath'] as const;
export type RestrictedSetting = (typeof restrictedSettings)[number];

/** The part of `WorkspaceConfiguration.inspect()` the trust rule looks at. */
export interface InspectedValue<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The effective value of a setting that names a program. Trusted: the most specific value
 * (folder, workspace, user, default). Untrusted (Restricted Mode): only the user (global) value or
 * the default, so that no program chosen by the workspace is ever run.
 */
export function programSetting(inspected: InspectedValue<string> | undefined, trusted: boolean): string | undefined {
  if (!inspected) return undefined;
  const layers = trusted
    ? [inspected.workspaceFolderValue, inspected.workspaceValue, inspected.globalValue, inspected.defaultValue]
    : [inspected.globalValue, inspected.defaultValue];
  for (const v of layers) {
    if (v !== undefined && v !== null) return nonEmpty(v);
  }
  return undefined;
}

/** Whether the workspace sets a value that Restricted Mode ignores. */
export function workspaceOverrides(inspected: InspectedValue<string> | undefined): boolean {
  return !!inspected && (nonEmpty(inspected.workspaceValue) !== undefined || nonEmpty(inspected.workspaceFolderValue) !== undefined);
}

const logLevels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'];

/** Coerces raw configuration values (anything a user can type into settings.json) into Settings. */
export function normalizeSettings(raw: Partial<Record<keyof Settings, unknown>>): Settings {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? nonEmpty(v) : undefined);
  const n = raw.suggestRebuildAfterStatements;
  return {
    juliaPath: str(raw.juliaPath),
    serverPath: str(raw.serverPath),
    environmentPath: str(raw.environmentPath),
    cpuTarget: str(raw.cpuTarget) ?? defaultSettings.cpuTarget,
    suggestRebuildAfterStatements:
      typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : defaultSettings.suggestRebuildAfterStatements,
    excludeNonPortableStatements:
      typeof raw.excludeNonPortableStatements === 'boolean' ? raw.excludeNonPortableStatements : defaultSettings.excludeNonPortableStatements,
    autoRecordRepl: typeof raw.autoRecordRepl === 'boolean' ? raw.autoRecordRepl : defaultSettings.autoRecordRepl,
    logLevel: logLevels.includes(raw.logLevel as LogLevel) ? (raw.logLevel as LogLevel) : defaultSettings.logLevel,
  };
}

/**
 * `initializationOptions` of `initialize` (docs/protocol.md "Initialization options"). `juliaPath`
 * only when set: the server then looks on its own. `serverPath` is the client's business.
 */
export function toInitializationOptions(s: Settings): InitializationOptions {
  const options: InitializationOptions = {
    cpuTarget: s.cpuTarget,
    suggestRebuildAfterStatements: s.suggestRebuildAfterStatements,
    excludeNonPortableStatements: s.excludeNonPortableStatements,
    autoRecordRepl: s.autoRecordRepl,
    logLevel: s.logLevel,
  };
  if (s.juliaPath) options.juliaPath = s.juliaPath;
  if (s.environmentPath) options.environmentPath = s.environmentPath;
  return options;
}

/**
 * `settings` of `workspace/didChangeConfiguration`: the same keys under `juliaSysimage`, with
 * `juliaPath` and `environmentPath` always present ("" tells the server to forget a value set before).
 */
export function toDidChangeConfiguration(s: Settings): { juliaSysimage: InitializationOptions } {
  return { juliaSysimage: { ...toInitializationOptions(s), juliaPath: s.juliaPath ?? '', environmentPath: s.environmentPath ?? '' } };
}

function nonEmpty(v: string | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}
