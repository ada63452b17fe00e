-- Starting, finding and talking to the sysimage-server LSP client: one client per Julia project root
-- (the nearest directory holding Project.toml or JuliaProject.toml), over stdio or a socket.
local config = require("sysimage.config")
local protocol = require("sysimage.protocol")

local M = {}

M.name = "sysimage"

local by_root = {} -- project root -> client id
local capabilities_by_id = {} -- client id -> the server's initialize result capabilities
local warned_connect = {}

local uv = vim.uv or vim.loop
local has_011 = vim.fn.has("nvim-0.11") == 1

--- `path` with symlinks resolved when it exists (the server reports resolved project directories).
function M.normalize(path)
  if not path or path == "" then
    return path
  end
  return uv.fs_realpath(path) or (vim.fn.fnamemodify(path, ":p"):gsub("/$", ""))
end

--- The nearest ancestor directory of `path` (a file or directory) holding a root marker, or nil.
function M.find_root(path, markers)
  markers = markers or config.get().root_markers
  if not path or path == "" then
    return nil
  end
  path = vim.fn.fnamemodify(path, ":p")
  local dir = vim.fn.isdirectory(path) == 1 and path or vim.fn.fnamemodify(path, ":h")
  if vim.fs and vim.fs.find then
    local found = vim.fs.find(markers, { path = dir, upward = true, type = "file", limit = 1 })[1]
    return found and M.normalize(vim.fn.fnamemodify(found, ":h")) or nil
  end
  dir = (dir:gsub("/$", ""))
  while dir and dir ~= "" do
    for _, m in ipairs(markers) do
      local st = uv.fs_stat(dir .. "/" .. m)
      if st and st.type == "file" then
        return M.normalize(dir)
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

--- Calls a client method with the calling convention of this Neovim (`client:m()` from 0.11 on).
local function call(client, method, ...)
  if has_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end

local function is_stopped(client)
  return client == nil or call(client, "is_stopped")
end

--- How the client reaches its server: {cmd, token?, token_source?} for `connect` when this Neovim can attach
--- there (connect.lua), else the server over stdio ({cmd = {server, args…}}). A `connect` that cannot be
--- used is reported once (warning) and falls back to stdio, so everything else keeps working.
function M.transport(opts)
  if opts.connect and opts.connect ~= "" then
    local transport, why = require("sysimage.connect").transport(opts)
    if transport then
      return transport
    end
    local key = opts.connect .. "\n" .. why
    if not warned_connect[key] then
      warned_connect[key] = true
      vim.notify(("sysimage: cannot attach to %s: %s. Starting the server over stdio instead.")
        :format(require("sysimage.connect").redact(opts.connect), why), vim.log.levels.WARN)
    end
  end
  local cmd = { config.server_path(opts) }
  vim.list_extend(cmd, opts.server_args or {})
  return { cmd = cmd }
end

--- The LSP client config for the project at `root`.
function M.make_config(root, opts)
  opts = opts or config.get()
  local settings = config.server_settings(opts)
  local transport = M.transport(opts)
  -- The TCP access token goes with initialize only, never with the settings pushed later.
  local init_options = transport.token and vim.tbl_extend("force", settings, { token = transport.token }) or settings
  return {
    name = M.name,
    cmd = transport.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
    init_options = init_options,
    settings = { [protocol.settings_section] = settings },
    capabilities = opts.capabilities or vim.lsp.protocol.make_client_capabilities(),
    handlers = {
      [protocol.notifications.statusChanged] = function(_, result, ctx)
        require("sysimage.statusline").update(result, ctx.client_id)
      end,
      ["$/progress"] = require("sysimage.progress").handler,
    },
    on_init = function(client, result)
      capabilities_by_id[client.id] = result and result.capabilities or {}
    end,
    on_attach = function(client, bufnr)
      vim.b[bufnr].sysimage_root = root
      if opts.on_attach then
        opts.on_attach(client, bufnr)
      end
    end,
    on_exit = function(_, _, client_id)
      capabilities_by_id[client_id] = nil
      if by_root[root] == client_id then
        by_root[root] = nil
      end
    end,
  }
end

--- Starts (or reuses) the client for `bufnr`'s project and attaches it. Returns the client id, or nil when
--- the buffer is not a file in a Julia project.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local root = M.find_root(vim.api.nvim_buf_get_name(bufnr))
  vim.b[bufnr].sysimage_root = root or false -- false: looked, not in a Julia project
  if not root then
    return nil
  end
  local id
  if vim.lsp.start then
    id = vim.lsp.start(M.make_config(root), {
      bufnr = bufnr,
      reuse_client = function(client, conf)
        return client.name == conf.name and client.config.root_dir == conf.root_dir
      end,
    })
  else
    -- Neovim 0.7: start_client + buf_attach_client, reusing the root's client by hand.
    id = by_root[root]
    if is_stopped(id and vim.lsp.get_client_by_id(id)) then
      id = vim.lsp.start_client(M.make_config(root))
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if id then
    by_root[root] = id
  end
  return id
end

--- Every running sysimage client.
function M.clients()
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ name = M.name })
  else
    all = vim.lsp.get_active_clients()
  end
  return vim.tbl_filter(function(c)
    return c.name == M.name and not is_stopped(c)
  end, all)
end

--- The sysimage clients attached to `bufnr`.
function M.buf_clients(bufnr)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  elseif vim.fn.has("nvim-0.8") == 1 then
    all = vim.lsp.get_active_clients({ bufnr = bufnr })
  else
    all = vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  end
  return vim.tbl_filter(function(c)
    return c.name == M.name
  end, all)
end

--- The project root of `bufnr` (cached on attach), or nil.
function M.root_for(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return nil
  end
  local root = vim.b[bufnr].sysimage_root
  if root ~= nil then
    return root or nil
  end
  if vim.bo[bufnr].buftype == "" and vim.tbl_contains(config.get().filetypes, vim.bo[bufnr].filetype) then
    return M.find_root(vim.api.nvim_buf_get_name(bufnr))
  end
  return nil
end

--- The running client and project root for `bufnr`; with no client for that buffer and exactly one
--- sysimage client running, that one (so commands also work from a REPL terminal or a help buffer).
function M.get(bufnr)
  local root = M.root_for(bufnr)
  local id = root and by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if client and not is_stopped(client) then
    return client, root
  end
  local all = M.clients()
  if not root and #all == 1 then
    return all[1], all[1].config.root_dir
  end
  return nil, root
end

--- The server's `initialize` capabilities for `client`.
function M.capabilities(client)
  return capabilities_by_id[client.id] or client.server_capabilities or {}
end

--- Whether the server lists `command` in executeCommandProvider.commands.
function M.has_command(client, command)
  local provider = M.capabilities(client).executeCommandProvider
  return provider ~= nil and vim.tbl_contains(provider.commands or {}, command)
end

--- A user-facing sentence for a JSON-RPC error of `method`.
function M.describe_error(method, err)
  if type(err) ~= "table" then
    return tostring(err)
  end
  if err.code == protocol.errors.MethodNotFound then
    return ("%s is not available yet: this sysimage-server does not serve it (an older version; see docs/protocol.md)"):format(method)
  end
  if err.code == protocol.errors.RequestCancelled then
    return method .. " was cancelled"
  end
  return ("%s failed: %s"):format(method, err.message or vim.inspect(err))
end

--- Sends `method` with `params` and calls `callback(err, result)` on the main loop.
function M.request(client, method, params, callback)
  local ok = call(client, "request", method, params, function(err, result)
    callback(err, result)
  end)
  if not ok then
    callback({ code = protocol.errors.InternalError, message = "the sysimage client is not running" }, nil)
  end
end

--- Sends `method` and waits up to `timeout_ms`; returns result, err.
function M.request_sync(client, method, params, timeout_ms)
  local resp, err = call(client, "request_sync", method, params, timeout_ms or 5000)
  if not resp then
    return nil, { message = tostring(err) }
  end
  return resp.result, resp.err
end

--- Runs `workspace/executeCommand` `command` for `project`; `callback(err, result)`.
function M.execute(client, command, project, callback)
  M.request(client, "workspace/executeCommand", { command = command, arguments = { { project = project } } }, callback)
end

--- The client for the current buffer, or nil after telling the user why there is none.
function M.current()
  local client, root = M.get(0)
  if not client then
    vim.notify(root and ("sysimage: the client for %s is not running"):format(root)
      or "sysimage: no sysimage client for this buffer (open a .jl file of a project with Project.toml)",
      vim.log.levels.ERROR)
    return nil
  end
  return client, root
end

--- Sends the current settings to every running client (`workspace/didChangeConfiguration`).
function M.push_settings()
  local settings = { [protocol.settings_section] = config.server_settings() }
  for _, client in ipairs(M.clients()) do
    client.config.settings = settings
    call(client, "notify", "workspace/didChangeConfiguration", { settings = settings })
  end
end

return M
