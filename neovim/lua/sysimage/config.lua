-- The plugin's options: defaults, merging with what the user passes to setup(), and their translation
-- into the server's initialization options / `juliaSysimage` settings (docs/protocol.md).
local protocol = require("sysimage.protocol")

local M = {}

--- This file's directory: <repo>/neovim/lua/sysimage.
local function plugin_dir()
  local src = debug.getinfo(1, "S").source
  return vim.fn.fnamemodify(src:sub(2), ":p:h")
end

--- The repository's own build: <repo>/build/bin/sysimage-server, found from this file's path.
function M.repo_server_path()
  return vim.fn.fnamemodify(plugin_dir() .. "/../../../build/bin/sysimage-server", ":p")
end

M.defaults = {
  --- sysimage-server executable: `sysimage-server` on PATH, else the repository's build/bin/sysimage-server.
  server_path = nil,
  --- Extra arguments for the server (e.g. {"--log-file", "/tmp/sysimage.log"}).
  server_args = {},
  --- nil | "tcp:127.0.0.1:PORT" | "unix:PATH": attach to a running `sysimage-server serve --listen …`.
  --- "tcp:127.0.0.1:PORT?token=TOKEN" (the line `serve` prints) carries the access token too.
  connect = nil,
  --- The TCP access token; default: the one in `connect`, else read from token_file.
  token = nil,
  --- Where to read the TCP access token; default: the server's token file for that address
  --- ($XDG_RUNTIME_DIR, else $XDG_STATE_HOME or ~/.local/state, /sysimage-server/tcp-HOST-PORT.token).
  token_file = nil,
  --- Give up a socket session whose server does not answer `initialize` within this many ms.
  connect_timeout_ms = 10000,
  --- Server settings (sent as initializationOptions and workspace/didChangeConfiguration).
  julia_path = nil,
  state_dir = nil,
  --- The environment of each workspace folder, relative to it (e.g. "app"); nil: the nearest Project.toml.
  environment_path = nil,
  cpu_target = "native",
  suggest_rebuild_after_statements = 100,
  exclude_non_portable_statements = false,
  auto_record_repl = true,
  log_level = "info",
  --- Show `$/progress` with vim.notify/echo. false: never (a progress plugin such as fidget.nvim shows it).
  --- Also off automatically while a known progress plugin is loaded.
  progress = true,
  filetypes = { "julia" },
  root_markers = { "Project.toml", "JuliaProject.toml" },
  --- Passed through to the LSP client.
  on_attach = nil,
  capabilities = nil,
}

local options = vim.deepcopy(M.defaults)

--- Option name -> the protocol's key.
M.keys = {
  julia_path = "juliaPath",
  state_dir = "stateDir",
  environment_path = "environmentPath",
  cpu_target = "cpuTarget",
  suggest_rebuild_after_statements = "suggestRebuildAfterStatements",
  exclude_non_portable_statements = "excludeNonPortableStatements",
  auto_record_repl = "autoRecordRepl",
  log_level = "logLevel",
}

--- The current options (defaults merged with the last setup()).
function M.get()
  return options
end

--- Replaces the options with defaults + `user` (a table of the keys above). Returns them.
--- Server settings of the wrong type are reported and left out.
function M.set(user)
  user = vim.deepcopy(user or {})
  for lua_key, wire_key in pairs(M.keys) do
    local v, want = user[lua_key], protocol.init_options[wire_key]
    if v ~= nil and type(v) ~= want then
      vim.notify(("sysimage: option %s must be a %s, not %s; ignored"):format(lua_key, want, type(v)), vim.log.levels.ERROR)
      user[lua_key] = nil
    end
  end
  options = vim.tbl_extend("force", vim.deepcopy(M.defaults), user) -- lists (root_markers, …) replace, not merge
  return options
end

--- The server executable to run: the configured path, else `sysimage-server` on PATH, else the repo build.
function M.server_path(opts)
  opts = opts or options
  if opts.server_path and opts.server_path ~= "" then
    return vim.fn.expand(opts.server_path)
  end
  local on_path = vim.fn.exepath("sysimage-server")
  if on_path ~= "" then
    return on_path
  end
  return M.repo_server_path()
end

--- The server settings as the protocol spells them ({juliaPath = …, cpuTarget = …}); unset keys left out.
function M.server_settings(opts)
  opts = opts or options
  local out = {}
  for lua_key, wire_key in pairs(M.keys) do
    local v = opts[lua_key]
    if v ~= nil and v ~= vim.NIL then
      out[wire_key] = (lua_key == "julia_path" or lua_key == "state_dir") and vim.fn.expand(v) or v
    end
  end
  return out
end

return M
