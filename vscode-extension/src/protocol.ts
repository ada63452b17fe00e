// The custom `sysimage/…` requests, notifications and commands of sysimage-server, declared once.
// Described in docs/protocol.md; mirrored by protocol/include/sysimage/protocol/sysimage.h (server)
// and neovim/lua/sysimage/protocol.lua. Keep the three in step (test/unit/protocol.test.ts checks
// this file against the doc).
//
// Imports only vscode-languageserver-protocol (no `vscode`), so unit tests can load it.
import * as lsp from 'vscode-languageserver-protocol';

/** `capabilities.experimental.sysimage.protocolVersion` this extension was written for. */
export const protocolVersion = 1;

/** JSON-RPC and LSP error codes the server answers with (docs/protocol.md "JSON-RPC"). */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerNotInitialized: -32002,
  RequestCancelled: -32800,
  RequestFailed: -32803,
} as const;

// ---------------------------------------------------------------------------------------------
// Shared shapes

/**
 * Names a project: a workspace folder, a file in it, or the project directory, as an absolute
 * path or a `file://` URI. Absent: the session's first workspace folder, else Julia's default
 * environment (`@v1.X`).
 */
export interface ProjectParams {
  project?: string;
}

/** Why a Julia cannot be used (`Status.julia.errorKind`). */
export type JuliaErrorKind = 'notFound' | 'notExecutable' | 'notJulia' | 'tooOld' | 'timeout' | 'failed';

export interface JuliaInfo {
  path: string;
  version: string;
  /** Only when Julia is unusable: why, in words. */
  error?: string;
  errorKind?: JuliaErrorKind;
}

/** Statements of one module the project cannot load: stored, left out of builds. */
export interface OutsideModule {
  /** e.g. "VSCodeServer" */
  module: string;
  statements: number;
  /** why builds leave them out */
  reason: string;
}

/** Counts of recorded precompile statements. */
export interface StatementCounts {
  total: number;
  nonPortable: number;
  /** refer to Main: never built */
  excluded: number;
  /** statements a build would add (outside ones not counted) */
  newSinceBuild: number;
  invalidLines: number;
  /** name a module that is not the project, a package of its manifest or a standard library: never built (absent from older servers) */
  outsideProject?: number;
  /** those by module, most statements first */
  outsideModules?: OutsideModule[];
}

/** Trace files the server follows. */
export interface RecordingInfo {
  /** trace files of `sysimage/replCommand` and `record` being followed */
  sessions: number;
  /**
   * The project's stable trace file (absolute, under the state directory), followed all the time:
   * REPLs the client starts itself get `--trace-compile=<traceFile>`. Absent from older servers.
   */
  traceFile?: string;
  /** Julia processes seen writing traceFile (each start truncates it) */
  traceFileSessions?: number;
}

/**
 * How the sysimage relates to the project's current environment: `none` (no image yet),
 * `upToDate`, `suggested` (usable, a rebuild would help), `unsafe` (a package baked in differs
 * from the manifest: not used), `unusable` (other Julia or CPU target, or image missing: not used).
 */
export type StalenessState = 'none' | 'upToDate' | 'suggested' | 'unsafe' | 'unusable';

/** One package that changed since the sysimage was built. */
export type PackageChangeKind =
  | 'added'
  | 'removed'
  | 'upgraded'
  | 'downgraded'
  | 'treeHashChanged'
  | 'sourceKindChanged'
  | 'devSourcesChanged'
  | 'juliaVersionChanged';

export interface PackageChange {
  name: string;
  uuid: string;
  change: PackageChangeKind;
  /** in the image: a version (or source kind, Julia version); null when none */
  old: string | null;
  /** in the manifest now; null when none */
  new: string | null;
  /** one sentence for the user */
  reason: string;
}

/** Where a Manifest.toml / Project.toml / JuliaSysimage.toml could not be read (1-based; 0: unknown). */
export interface ManifestError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface Staleness {
  state: StalenessState;
  reasons: string[];
  diff: PackageChange[];
  /** only while the file is unreadable (the last good state is kept meanwhile) */
  manifestError?: ManifestError;
  projectError?: ManifestError;
  configError?: ManifestError;
}

/** Wall time per fresh process, in seconds. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

/** `sysimage/measure` result; also the last measurement of an image (`ImageInfo.ttfx`). */
export interface MeasureResult {
  workload: string;
  runs: number;
  bare: Timing;
  withoutImage: Timing;
  withImage: Timing | null;
  /** median(withoutImage) / median(withImage); 0 without an image */
  speedup: number;
  /** the image measured; null without a usable image */
  image: string | null;
}

/** The project's selected sysimage. */
export interface ImageInfo {
  path: string;
  /** ISO 8601 */
  builtAt: string;
  ageSeconds: number;
  juliaVersion: string;
  cpuTarget: string;
  backend: string;
  statements: number;
  buildSeconds: number;
  /** version null: a stdlib without one */
  packages: { name: string; version: string | null }[];
  /** REPLs started now get `-J` with it */
  usable: boolean;
  /** the last measurement, if any */
  ttfx?: MeasureResult;
}

export type BuildState = 'queued' | 'running' | 'failed' | 'cancelled' | 'succeeded';

/** The project's current or last build. */
export interface BuildInfo {
  state: BuildState;
  buildId: string;
  phase: string;
  message: string;
  /** 0–100, never goes down */
  percentage: number;
  /** only when it failed: why */
  error?: string;
}

/** `sysimage/status` result and `sysimage/statusChanged` params. */
export interface Status {
  /** the environment's directory */
  project: string;
  /** Project.toml name, else the directory name, else "@v1.5" */
  name: string;
  kind: 'project' | 'default';
  julia: JuliaInfo;
  statements: StatementCounts;
  recording: RecordingInfo;
  /** degraded: writes failed, statements are kept in memory */
  store: { dir: string; degraded: boolean; error?: string };
  warnings: string[];
  staleness: Staleness;
  /** null: the project has no image. */
  image: ImageInfo | null;
  /** null before the first build in this server process. */
  build: BuildInfo | null;
}

// ---------------------------------------------------------------------------------------------
// Requests served now

export interface ServerInfoResult {
  version: string;
  protocolVersion: number;
  pid: number;
}
/** Health check. */
export const serverInfo = new lsp.RequestType0<ServerInfoResult, void>('sysimage/serverInfo');

export interface PingParams {
  /** 0–60000, default 0 */
  delayMs?: number;
}
/** Answered `{}` after `delayMs` milliseconds; cancellable. */
export const ping = new lsp.RequestType<PingParams, Record<string, never>, void>('sysimage/ping');

/**
 * `data` of every -32803 RequestFailed error of the sysimage/… methods. Show the error's message
 * (it says what went wrong in words); `reason` is a stable name for programs.
 */
export interface RequestFailedData {
  /** buildFailed | juliaUnavailable | storeFailed | notFound | measureFailed */
  reason: string;
  /** builds: the failed build (its log stays retrievable) */
  buildId?: string;
  /** builds: the last 50 log lines */
  logTail?: string[];
}

/** The status of one project. Errors: -32602 bad `project`; -32803 store unusable. */
export const status = new lsp.RequestType<ProjectParams, Status, void>('sysimage/status');

/** An interactive, recording Julia for a project: run `command args…` with `env` added. */
export interface ReplCommandResult {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** new trace file the server follows from now on */
  traceFile: string;
  /** the project directory */
  project: string;
}
/** Errors: -32803 when Julia is unavailable (the message says why) or the store is unwritable. */
export const replCommand = new lsp.RequestType<ProjectParams, ReplCommandResult, RequestFailedData>('sysimage/replCommand');

// ---------------------------------------------------------------------------------------------
// Notifications (server → client)

/** Sent when anything in a project's status changes (at most 4 per second per project). */
export const statusChanged = new lsp.NotificationType<Status>('sysimage/statusChanged');

// ---------------------------------------------------------------------------------------------
// Build requests. Servers from before the build work answer them -32601: treat that as "not
// available yet" (and look for `sysimage.build` in executeCommandProvider.commands).

export type BuildBackend = 'auto' | 'native' | 'packagecompiler';

export interface BuildOptions {
  cpuTarget?: string;
  backend?: BuildBackend;
  measure?: boolean;
  force?: boolean;
}

export interface BuildParams extends ProjectParams, lsp.WorkDoneProgressParams {
  options?: BuildOptions;
}

export interface MeasureParams extends ProjectParams {
  /** path or URI; default: the project's first execution_files entry, else a statement replay */
  workload?: string;
  /** 1–100, default 5 */
  runs?: number;
}

export interface BuildResult {
  buildId: string;
  /** path of the image built (or reused) */
  image: string;
  durationSeconds: number;
  statementsOk: number;
  statementsFailed: number;
  backend: string;
  /** true: unchanged inputs, the existing image */
  cached: boolean;
  /** only with options.measure */
  measurement?: MeasureResult;
}

/**
 * Answers when the build ends; reports work done progress ("Building sysimage", cancellable).
 * Errors: -32800 cancelled; -32803 failed (data: RequestFailedData with buildId and logTail).
 */
export const build = new lsp.RequestType<BuildParams, BuildResult, RequestFailedData>('sysimage/build');

export interface CancelBuildResult {
  /** false when no build of the project was running or queued */
  cancelled: boolean;
}
export const cancelBuild = new lsp.RequestType<ProjectParams, CancelBuildResult, void>('sysimage/cancelBuild');

export interface BuildLogParams extends ProjectParams {
  buildId?: string;
}
export interface BuildLogResult {
  buildId: string;
  path: string;
  log: string;
}
/** The newest (or running) build of the project when no `buildId`. -32803 reason "notFound". */
export const buildLog = new lsp.RequestType<BuildLogParams, BuildLogResult, RequestFailedData>('sysimage/buildLog');

export const measure = new lsp.RequestType<MeasureParams, MeasureResult, RequestFailedData>('sysimage/measure');

// ---------------------------------------------------------------------------------------------
// Commands (`workspace/executeCommand`; arguments `[]`, `[{project}]` or `["<project>"]`)

export const Commands = {
  /** result: ReplCommandResult */
  startRecordedRepl: 'sysimage.startRecordedRepl',
  /** result: the new Status */
  clearStatements: 'sysimage.clearStatements',
  /** arguments `[{project?, options?}]`; result: BuildResult */
  build: 'sysimage.build',
  /** result: {cancelled} */
  cancelBuild: 'sysimage.cancelBuild',
  /** result: MeasureResult */
  measure: 'sysimage.measure',
  /** result: BuildLogResult */
  showBuildLog: 'sysimage.showBuildLog',
} as const;
export type ServerCommand = (typeof Commands)[keyof typeof Commands];

/**
 * Actions of the server's rebuild offer: a `window/showMessageRequest` (type 2) sent when a
 * project becomes `suggested` or `unsafe`; the language client shows it as a notification.
 */
export const RebuildOfferActions = {
  rebuild: 'Rebuild',
  notNow: 'Not now',
  dontAsk: "Don't ask for this project",
} as const;

// ---------------------------------------------------------------------------------------------
// Initialization options (also the keys of `workspace/didChangeConfiguration` under `juliaSysimage`)

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical' | 'off';

export interface InitializationOptions {
  juliaPath?: string;
  stateDir?: string;
  /** the environment of each workspace folder, relative to it (e.g. `app`); "" resets */
  environmentPath?: string;
  cpuTarget?: string;
  suggestRebuildAfterStatements?: number;
  excludeNonPortableStatements?: boolean;
  autoRecordRepl?: boolean;
  logLevel?: LogLevel;
}

/** Every custom method name, for checks against docs/protocol.md. */
export const methods: readonly string[] = [
  serverInfo.method,
  ping.method,
  status.method,
  replCommand.method,
  statusChanged.method,
  build.method,
  cancelBuild.method,
  buildLog.method,
  measure.method,
];
