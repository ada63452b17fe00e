// Typed access to the `juliaSysimage.*` settings (rust-analyzer's Config): reads VS Code's
// configuration, applies the Workspace Trust rule to the settings that name programs, and
// produces what the server is sent.
import * as vscode from 'vscode';
import { configurationSection } from './ids';
import type { InitializationOptions } from './protocol';
import {
  normalizeSettings,
  programSetting,
  restrictedSettings,
  RestrictedSetting,
  Settings,
  toDidChangeConfiguration,
  toInitializationOptions,
  workspaceOverrides,
} from './settings';

export class Config {
  /**
   * The Julia of the Julia extension (features/juliaRepl.ts), used when `juliaSysimage.juliaPath`
   * is empty so that images are built by the Julia that loads them. Only set while trusted.
   */
  extensionJulia: string | undefined;

  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(configurationSection);
  }

  /** vscode.workspace.isTrusted: false in Restricted Mode. */
  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** A program setting: with `inspect()`, ignoring the workspace's values while untrusted. */
  private program(key: RestrictedSetting): string | undefined {
    return programSetting(this.raw.inspect<string>(key), this.trusted);
  }

  get juliaPath(): string | undefined {
    return this.program('juliaPath');
  }

  get serverPath(): string | undefined {
    return this.program('serverPath');
  }

  get cpuTarget(): string {
    return this.settings.cpuTarget;
  }

  /** Every setting, trust rule applied. */
  get settings(): Settings {
    const c = this.raw;
    return normalizeSettings({
      juliaPath: this.juliaPath ?? (this.trusted ? this.extensionJulia : undefined),
      serverPath: this.serverPath,
      environmentPath: c.get('environmentPath'),
      cpuTarget: c.get('cpuTarget'),
      suggestRebuildAfterStatements: c.get('suggestRebuildAfterStatements'),
      excludeNonPortableStatements: c.get('excludeNonPortableStatements'),
      autoRecordRepl: c.get('autoRecordRepl'),
      logLevel: c.get('logLevel'),
    });
  }

  initializationOptions(): InitializationOptions {
    return toInitializationOptions(this.settings);
  }

  didChangeConfigurationSettings(): { juliaSysimage: InitializationOptions } {
    return toDidChangeConfiguration(this.settings);
  }

  /** Program settings the workspace sets but Restricted Mode ignores (for messages). */
  ignoredWorkspaceSettings(): string[] {
    if (this.trusted) return [];
    return restrictedSettings
      .filter((k) => workspaceOverrides(this.raw.inspect<string>(k)))
      .map((k) => `${configurationSection}.${k}`);
  }

  /** Writes the CPU target where it is set now (workspace or user), else in the user settings. */
  async setCpuTarget(value: string): Promise<void> {
    const inspected = this.raw.inspect<string>('cpuTarget');
    const target =
      inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await this.raw.update('cpuTarget', value, target);
  }

  static affects(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(configurationSection);
  }
}
