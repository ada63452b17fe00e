-- :checkhealth sysimage: the server and its version, Julia and its version, the project of the current
-- buffer, and whether the client is attached to it.
local config = require("sysimage.config")
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

--- The health reporter of this Neovim: vim.health (0.8+; start/ok/… from 0.10) or require("health") (0.7).
local function reporter()
  local h = vim.health
  if not (h and (h.start or h.report_start)) then
    h = require("health")
  end
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

local function first_line(text)
  return (vim.split(vim.trim(text or ""), "\n", { plain = true })[1] or "")
end

--- The buffer the user was in: :checkhealth runs in a buffer of its own.
local function target_buffer()
  local cur = vim.api.nvim_get_current_buf()
  if vim.bo[cur].buftype == "" and vim.api.nvim_buf_get_name(cur) ~= "" and vim.bo[cur].filetype ~= "checkhealth" then
    return cur
  end
  local last = client_mod.last_buffer
  if last and vim.api.nvim_buf_is_valid(last) then
    return last
  end
  local alt = vim.fn.bufnr("#")
  return alt > 0 and alt or cur
end

local function check_server(h, opts)
  h.start("sysimage: server")
  if opts.connect and opts.connect ~= "" then
    local connect = require("sysimage.connect")
    local shown = connect.redact(opts.connect)
    local transport, why = connect.transport(opts)
    if transport then
      h.ok(("connect = %s (attaching to a running `sysimage-server serve --listen`%s)"):format(shown,
        transport.token_source and (", access token from " .. transport.token_source) or ""))
    else
      h.warn(("connect = %s cannot be used: %s; the server runs over stdio instead"):format(shown, why),
        { "TCP needs Neovim 0.9+ and the server's access token, Unix sockets 0.10+; see docs/neovim.md" })
    end
  end
  local path = config.server_path(opts)
  if vim.fn.executable(path) ~= 1 then
    h.error("sysimage-server not found: " .. path, {
      "build it: cmake --build build --target sysimage-server",
      "or put sysimage-server on PATH, or set server_path in require('sysimage').setup()",
    })
    return
  end
  local out = vim.fn.system({ path, "--version" })
  if vim.v.shell_error == 0 then
    h.ok(("server: %s (%s)"):format(path, first_line(out)))
  else
    h.error(("server %s --version failed (exit %d): %s"):format(path, vim.v.shell_error, first_line(out)))
  end
end

local function julia_from_path(opts)
  for _, candidate in ipairs({ opts.julia_path, vim.env.JULIA, "julia" }) do
    if candidate and candidate ~= "" then
      local exe = vim.fn.exepath(vim.fn.expand(candidate))
      if exe ~= "" then
        return exe
      end
    end
  end
  return nil
end

local function check_julia(h, opts, client, root)
  h.start("sysimage: Julia")
  if client and root then
    local status, err = client_mod.request_sync(client, protocol.methods.status, { project = root }, 15000)
    if status and type(status.julia) == "table" then
      local j = status.julia
      if j.error and j.error ~= vim.NIL then
        h.error(("Julia unusable (%s): %s"):format(j.errorKind or "error", j.error), {
          "set julia_path in require('sysimage').setup(), or JULIA, or put julia (1.5+) on PATH",
        })
      else
        h.ok(("Julia %s: %s (as the server resolved it)"):format(j.version or "?", j.path or "?"))
      end
      return
    end
    h.warn("could not ask the server for the status: " .. tostring(err and err.message or "no answer"))
  end
  local exe = julia_from_path(opts)
  if not exe then
    h.warn("no julia on PATH, JULIA or julia_path; the server may still find the project-local runtime",
      { "set julia_path in require('sysimage').setup()" })
    return
  end
  local out = vim.fn.system({ exe, "--version" })
  if vim.v.shell_error == 0 then
    h.ok(("%s: %s"):format(first_line(out), exe))
  else
    h.error(("%s --version failed: %s"):format(exe, first_line(out)))
  end
end

function M.check()
  local h = reporter()
  local opts = config.get()
  if not require("sysimage").configured then
    h.start("sysimage: setup")
    h.warn("require('sysimage').setup() has not been called; the client does not start for Julia buffers")
  end
  check_server(h, opts)

  h.start("sysimage: project")
  local bufnr = target_buffer()
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = client_mod.root_for(bufnr) or client_mod.find_root(name)
  local client
  if root then
    h.ok("project: " .. root)
    client = client_mod.buf_clients(bufnr)[1]
    if client then
      h.ok(("client attached (id %d)"):format(client.id))
    elseif require("sysimage").configured then
      h.error("no sysimage client attached to " .. (name ~= "" and name or "this buffer"),
        { "check :LspLog and the server's stderr; open the buffer again with :edit" })
    end
  else
    h.info(("no Project.toml or JuliaProject.toml above %s: the client starts only in Julia projects")
      :format(name ~= "" and name or "the current buffer"))
  end
  check_julia(h, opts, client, root)
end

return M
