// Names the extension registers with VS Code: its commands, context keys and settings section.
// Pure (no `vscode` import) so the unit tests can check them against package.json.

/** The `juliaSysimage.*` commands contributed in package.json. */
export const CommandIds = {
  startRepl: 'juliaSysimage.startRepl',
  build: 'juliaSysimage.build',
  cancelBuild: 'juliaSysimage.cancelBuild',
  showStatus: 'juliaSysimage.showStatus',
  openBuildLog: 'juliaSysimage.openBuildLog',
  measure: 'juliaSysimage.measure',
  clearStatements: 'juliaSysimage.clearStatements',
  selectCpuTarget: 'juliaSysimage.selectCpuTarget',
  restartServer: 'juliaSysimage.restartServer',
  useInJuliaRepl: 'juliaSysimage.useInJuliaRepl',
  stopInJuliaRepl: 'juliaSysimage.stopInJuliaRepl',
} as const;
export type CommandName = keyof typeof CommandIds;

/** Commands that work while the server is down (no `enablement` clause). */
export const commandsWithoutServer: readonly CommandName[] = ['selectCpuTarget', 'restartServer', 'stopInJuliaRepl'];

/** Context keys for `when`/`enablement` clauses. */
export const ContextKeys = {
  /** true while the language client is running */
  serverRunning: 'juliaSysimage.serverRunning',
  /** true while the running server offers `sysimage.build` */
  serverCanBuild: 'juliaSysimage.serverCanBuild',
} as const;

export const configurationSection = 'juliaSysimage';
export const outputChannelName = 'Julia Sysimage';
export const statusBarItemId = 'juliaSysimage.status';
export const buildLogScheme = 'julia-sysimage-log';
