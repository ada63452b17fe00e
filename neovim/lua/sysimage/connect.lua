-- Attaching to a running `sysimage-server serve --listen …` (Neovim 0.9+ for TCP, 0.10+ for Unix
-- sockets): the address, the TCP access token (docs/protocol.md, "Access token"), and a transport
-- whose end is a normal end: the client stopping, the server stopping or going away never shows an
-- error; a server that went away is announced once as "sysimage server disconnected".
local config = require("sysimage.config")

local M = {}

local uv = vim.uv or vim.loop

--- The connection string without its token, for messages.
function M.redact(connect)
  return (connect:gsub("%?token=.*$", "?token=…"))
end

--- Parses `connect`: "tcp:HOST:PORT" or "tcp:[IPv6]:PORT", each optionally followed by "?token=TOKEN"
--- (the line `serve` prints), or "unix:PATH". Returns {kind = "tcp", host, port, token?, label} |
--- {kind = "unix", path, label}, or nil and why. `label` is the address without the token.
function M.parse(connect)
  local kind, rest = connect:match("^(%a+):(.+)$")
  if kind == "tcp" then
    local address, token = rest, nil
    local q = rest:find("?", 1, true)
    if q then
      address, token = rest:sub(1, q - 1), rest:sub(q + 1):match("^token=([%w%._~%-]+)$")
      if not token then
        return nil, ("connect = %q: expected ?token=TOKEN after the port"):format(M.redact(connect))
      end
    end
    local host, port = address:match("^%[(.+)%]:(%d+)$")
    if not host then
      host, port = address:match("^([^:]+):(%d+)$")
    end
    if not host then
      return nil, ("connect = %q: expected tcp:127.0.0.1:PORT"):format(M.redact(connect))
    end
    if host == "localhost" then
      host = "127.0.0.1" -- as the server does; vim.lsp.rpc.connect wants an address
    end
    return { kind = "tcp", host = host, port = tonumber(port), token = token, label = "tcp:" .. address }
  elseif kind == "unix" then
    return { kind = "unix", path = rest, label = connect }
  end
  return nil, ("connect = %q: expected tcp:127.0.0.1:PORT or unix:PATH"):format(M.redact(connect))
end

--- Where `serve` writes the token of a TCP listener unless given --token-file:
--- $XDG_RUNTIME_DIR, else $XDG_STATE_HOME, else ~/.local/state, then /sysimage-server/tcp-HOST-PORT.token.
function M.default_token_file(host, port)
  local base = vim.env.XDG_RUNTIME_DIR
  if not base or base == "" then
    base = vim.env.XDG_STATE_HOME
  end
  if not base or base == "" then
    base = (vim.env.HOME or "/tmp") .. "/.local/state"
  end
  return ("%s/sysimage-server/tcp-%s-%d.token"):format(base, host, port)
end

--- The access token for the TCP address `addr` (from M.parse): `opts.token`, else the one in the
--- connection string, else the first line of `opts.token_file` or of the server's default token
--- file. Returns token and where it came from, or nil and why.
function M.token(addr, opts)
  if type(opts.token) == "string" and opts.token ~= "" then
    return opts.token, "token option"
  end
  if addr.token then
    return addr.token, "connect string"
  end
  local file = (opts.token_file and opts.token_file ~= "") and vim.fn.expand(opts.token_file)
    or M.default_token_file(addr.host, addr.port)
  local fd = io.open(file, "r")
  if not fd then
    return nil, ("no access token: %s does not exist (is `sysimage-server serve --listen %s` running as you? "
      .. "Else set token or token_file)"):format(file, addr.label)
  end
  local line = fd:read("*l")
  fd:close()
  local token = line and vim.trim(line) or ""
  if token == "" then
    return nil, "no access token in " .. file
  end
  return token, file
end

local announced = {} -- label -> true once "disconnected" was said, until a session starts again

--- Wraps `connect_fn` (what vim.lsp.rpc.connect returns) so that the session's end is a normal end:
--- a read error (ECONNRESET, EPIPE) closes our side like an end of stream instead of becoming
--- "LSP[sysimage]: Error READ_ERROR"; an end we did not ask for (no `shutdown`/`exit`/terminate
--- sent) after the server answered `initialize` is announced once per address; a session that ends
--- before that answer (a connection reset by a server that is dying: its listener still took the
--- connection) and a server that never answers `initialize` within `timeout_ms` (nothing listens
--- any more) are given up with "sysimage: no answer from …", so that the client neither hangs
--- nor ends without a word.
function M.graceful(connect_fn, label, timeout_ms)
  return function(dispatchers)
    local stopping, ended, answered = false, false, false
    local public
    local function went_away()
      if stopping or ended then
        return
      end
      ended = true
      if not answered then
        -- Never a session, so not a disconnect. Called from libuv callbacks: notify on the main loop.
        vim.schedule(function()
          vim.notify(("sysimage: no answer from %s: the connection closed before the server answered; is the "
            .. "server still running? Reopen a Julia file to try again"):format(label), vim.log.levels.WARN)
        end)
        return
      end
      if not announced[label] then
        announced[label] = true
        vim.schedule(function()
          vim.notify(("sysimage server disconnected (%s); reopen a Julia file to attach again"):format(label),
            vim.log.levels.WARN)
        end)
      end
    end
    local wrapped = {}
    for name, fn in pairs(dispatchers or {}) do
      wrapped[name] = fn
    end
    wrapped.on_error = function(code, err)
      if code == vim.lsp.rpc.client_errors.READ_ERROR then
        went_away()
        if public and not public.is_closing() then
          public.terminate() -- reports on_exit(0, 0): the client ends like at an end of stream
        end
        return
      end
      if dispatchers and dispatchers.on_error then
        return dispatchers.on_error(code, err)
      end
    end
    wrapped.on_exit = function(code, signal)
      went_away()
      if dispatchers and dispatchers.on_exit then
        return dispatchers.on_exit(code, signal)
      end
    end
    public = connect_fn(wrapped)

    local function give_up_unless_answered()
      if answered or stopping or ended or public.is_closing() then
        return
      end
      ended = true
      vim.notify(("sysimage: no answer from %s within %d ms; is the server still running? Reopen a Julia file to "
        .. "try again"):format(label, timeout_ms), vim.log.levels.WARN)
      public.terminate()
    end

    return {
      request = function(method, params, callback, ...)
        if method == "shutdown" then
          stopping = true
        end
        if method == "initialize" then
          local inner = callback
          callback = function(err, result, ...)
            answered = true
            if err then
              ended = true -- refused (e.g. a wrong token): Neovim shows the error; the end that follows is no news
            else
              announced[label] = nil
            end
            return inner(err, result, ...)
          end
          vim.defer_fn(give_up_unless_answered, timeout_ms)
        end
        return public.request(method, params, callback, ...)
      end,
      notify = function(method, ...)
        if method == "exit" then
          stopping = true
        end
        return public.notify(method, ...)
      end,
      is_closing = function()
        return public.is_closing()
      end,
      terminate = function()
        stopping = true
        return public.terminate()
      end,
    }
  end
end

--- The transport for `opts.connect` (`opts`: the options, config.get()): {cmd = function(dispatchers),
--- token?, token_source?}, or nil and why not (this Neovim cannot connect, no server at a Unix socket
--- path, no TCP access token).
function M.transport(opts)
  local addr, why = M.parse(opts.connect)
  if not addr then
    return nil, why
  end
  local rpc_connect = vim.lsp.rpc and vim.lsp.rpc.connect
  local timeout = opts.connect_timeout_ms or config.defaults.connect_timeout_ms
  if addr.kind == "tcp" then
    if not rpc_connect then
      return nil, "connecting over TCP needs Neovim 0.9 or newer (vim.lsp.rpc.connect)"
    end
    local token, source = M.token(addr, opts)
    if not token then
      return nil, source
    end
    return { cmd = M.graceful(rpc_connect(addr.host, addr.port), addr.label, timeout), token = token,
      token_source = source }
  end
  if not rpc_connect or vim.fn.has("nvim-0.10") == 0 then
    return nil, "connecting over a Unix socket needs Neovim 0.10 or newer (vim.lsp.rpc.connect(pipe_path))"
  end
  local st = uv.fs_stat(addr.path)
  if not st or st.type ~= "socket" then
    return nil, ("no server listens on %s (no socket at that path)"):format(addr.label)
  end
  return { cmd = M.graceful(rpc_connect(addr.path), addr.label, timeout) }
end

return M
