-- The sysimage-server protocol as the Neovim client sees it: every custom method, notification and
-- command name, declared once, with the payload shapes of docs/protocol.md (protocol version 1).
-- Server side: protocol/include/sysimage/protocol/sysimage.h; VS Code: vscode-extension/src/protocol.ts.
-- What the server really sends is recorded in tests/fixtures/protocol/*.json; neovim/tests/unit.lua
-- checks this file and the plugin's formatting against those recordings.
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
  --- errors: -32800 cancelled; -32803 failed: err.message says why (show it), data: RequestFailedData.
  build = "sysimage/build",
  --- params: {project?}. result: {cancelled: boolean}
  cancelBuild = "sysimage/cancelBuild",
  --- params: {buildId?, project?}. result: {buildId, path, log: string}
  buildLog = "sysimage/buildLog",
  --- params: {project?, workload?, runs?}.
  --- result: {workload, runs, bare: Timing, withoutImage: Timing, withImage: Timing|nil, speedup, image: string|nil}
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
--- Every -32803 carries data = RequestFailedData {reason: string, buildId?: string, logTail?: string[]}: `reason` is
--- a stable name for programs (buildFailed | juliaUnavailable | storeFailed | notFound | measureFailed); show
--- err.message, which says what went wrong in words.
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
  staleness: {state: "none"|"upToDate"|"suggested"|"unsafe"|"unusable", reasons: string[],
              diff: [{name, uuid, change, old?, new?, reason}],   -- old/new: nil when none
              -- change: added | removed | upgraded | downgraded | treeHashChanged | sourceKindChanged |
              --         devSourcesChanged | juliaVersionChanged
              manifestError?, projectError?, configError?: {file, line, column, message}},  -- 0: unknown
  image: {path, builtAt, ageSeconds, juliaVersion, cpuTarget, backend, statements, buildSeconds,
          packages: [{name, version?}], usable: boolean,
          ttfx?: {workload, runs, bare: Timing, withoutImage: Timing, withImage: Timing?, speedup, image?}} | nil,
  build: {state: "queued"|"running"|"failed"|"cancelled"|"succeeded", buildId, phase, message,
          percentage, error?} | nil,   -- nil before the first build in this server process
}
]]

--- Initialization option keys (also `workspace/didChangeConfiguration` {settings = {juliaSysimage = ...}}).
M.settings_section = "juliaSysimage"
M.init_options = {
  juliaPath = "string",
  stateDir = "string",
  environmentPath = "string", -- each workspace folder's environment, relative to it (e.g. "app")
  cpuTarget = "string", -- native | portable | an LLVM CPU target string
  suggestRebuildAfterStatements = "number",
  excludeNonPortableStatements = "boolean",
  autoRecordRepl = "boolean",
  logLevel = "string", -- trace … off
  token = "string", -- TCP sessions only: the access token, in initialize only (never a setting)
}

return M
