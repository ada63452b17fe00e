-- The sysimage-server protocol as the Neovim client sees it: every custom method, notification and
-- command name, declared once, with the payload shapes of docs/protocol.md (protocol version 1).
-- Server side: protocol/include/sysimage/protocol/sysimage.h; VS Code: vscode-extension/src/protocol.ts.
local M = {}

--- Protocol version the client was written against (`capabilities.experimental.sysimage.protocolVersion`).
M.VERSION = 1

--- Client -> server requests.
M.methods = {
  --- params: none. result: {version: string, protocolVersion: number, pid: number}
  serverInfo = "sysimage/serverInfo",
  --- params: {delayMs?: number (0..60000)}. result: {} after delayMs; cancellable.
  ping = "sysimage/ping",
  --- params: {project?: string (absolute path or file:// URI; a folder, a file in it, or the project)}.
  --- result: Status (below). errors: -32602 bad project, -32803 store cannot be opened.
  status = "sysimage/status",
  --- params: {project?: string}.
  --- result: {command: string, args: string[], env: {[name]: string}, traceFile: string, project: string}
  --- errors: -32803 Julia unavailable or store not writable (message says why).
  replCommand = "sysimage/replCommand",

  -- Builds (an older server without them answers -32601: "not available yet").

  --- params: {project?, options?: {cpuTarget?, backend?: "auto"|"native"|"packagecompiler", measure?: boolean,
  ---   force?: boolean}, workDoneToken?}
  --- result: {buildId, image, durationSeconds, statementsOk, statementsFailed, backend, cached, measurement?}
  --- progress: work done progress titled "Building sysimage" (cancellable).
  --- errors: -32800 cancelled; -32803 failed, data: {buildId, reason, logTail: string[]}.
  build = "sysimage/build",
  --- params: {project?}. result: {cancelled: boolean}
  cancelBuild = "sysimage/cancelBuild",
  --- params: {buildId?, project?}. result: {buildId, path, log: string}
  buildLog = "sysimage/buildLog",
  --- params: {project?, workload?, runs?}.
  --- result: {workload, runs, bare: Timing, withoutImage: Timing, withImage: Timing|nil, speedup}
  --- Timing = {median, min, max, samples: number[]} in seconds.
  measure = "sysimage/measure",
}

--- Server -> client notifications.
M.notifications = {
  --- params: Status. At most 4 per second per project; once per workspace folder after `initialized`.
  statusChanged = "sysimage/statusChanged",
}

--- Commands for `workspace/executeCommand`; arguments `[]`, `[{project}]` or `["<project path or URI>"]`.
M.commands = {
  --- result: as sysimage/replCommand.
  startRecordedRepl = "sysimage.startRecordedRepl",
  --- result: the new Status.
  clearStatements = "sysimage.clearStatements",
  -- Builds:
  build = "sysimage.build",
  cancelBuild = "sysimage.cancelBuild",
  measure = "sysimage.measure",
  showBuildLog = "sysimage.showBuildLog",
}

--- JSON-RPC / LSP error codes the client reacts to.
M.errors = {
  MethodNotFound = -32601, -- a method an older server does not serve: "not available yet"
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestCancelled = -32800,
  RequestFailed = -32803,
}

--- Actions of the rebuild offer (`window/showMessageRequest`), answered by Neovim's default handler.
M.rebuild_actions = { "Rebuild", "Not now", "Don't ask for this project" }

--[[ Status (result of sysimage/status, params of sysimage/statusChanged):
{
  project: string,                 -- the environment's directory
  name: string,                    -- Project.toml name, else the directory name, else "@v1.5"
  kind: "project" | "default",
  julia: {path, version, error?, errorKind?},   -- errorKind: notFound | notExecutable | notJulia |
                                                --            tooOld | timeout | failed
  statements: {total, nonPortable, excluded, newSinceBuild, invalidLines, outsideProject,
               outsideModules: [{module, statements, reason}]},  -- outside: never built
  recording: {sessions, traceFile?, traceFileSessions},  -- traceFile: the stable trace file
  store: {dir, degraded, error?},
  warnings: string[],
  -- Staleness, image and build:
  staleness?: {state: "none"|"upToDate"|"suggested"|"unsafe"|"unusable", reasons: string[],
               diff: [{name, uuid, change, old?, new?, reason?}],
               -- change: added | removed | upgraded | downgraded | treeHashChanged | sourceChanged |
               --         devSourcesChanged | juliaChanged
               manifestError?: {file, line, column, message}},
  image?: {path, builtAt, ageSeconds, juliaVersion, cpuTarget, backend, statements,
           packages: [{name, version}], ttfx?: {withoutImage, withImage, bare}} | nil,
  build?: {state: "queued"|"running"|"failed"|"cancelled"|"succeeded", buildId, phase, message,
           percentage, error?} | nil,
}
]]

--- Initialization option keys (also `workspace/didChangeConfiguration` {settings = {juliaSysimage = ...}}).
M.settings_section = "juliaSysimage"
M.init_options = {
  juliaPath = "string",
  stateDir = "string",
  cpuTarget = "string", -- native | portable | an LLVM CPU target string
  suggestRebuildAfterStatements = "number",
  excludeNonPortableStatements = "boolean",
  autoRecordRepl = "boolean",
  logLevel = "string", -- trace … off
}

return M
