-- :SysimageRepl: a recording Julia REPL for the current project in a :terminal, run from the server's
-- `sysimage/replCommand` answer (command + args, with env added); what it compiles reaches the store.
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

--- Opens the terminal for `result` (a replCommand result); returns the terminal's job id and buffer.
function M.open_terminal(result, root)
  local cmd = { result.command }
  vim.list_extend(cmd, result.args or {})
  local opts = { cwd = result.project or root }
  if type(result.env) == "table" and next(result.env) ~= nil then
    opts.env = result.env
  end
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  local job
  if vim.fn.has("nvim-0.11") == 1 then
    opts.term = true
    job = vim.fn.jobstart(cmd, opts)
  else
    job = vim.fn.termopen(cmd, opts)
  end
  vim.b[buf].sysimage_root = root
  vim.b[buf].sysimage_trace_file = result.traceFile
  return job, buf
end

--- :SysimageRepl
function M.open()
  local client, root = client_mod.current()
  if not client then
    return
  end
  client_mod.request(client, protocol.methods.replCommand, { project = root }, function(err, result)
    if err then
      vim.notify("sysimage: " .. client_mod.describe_error(protocol.methods.replCommand, err), vim.log.levels.ERROR)
      return
    end
    local job = M.open_terminal(result, root)
    if job <= 0 then
      vim.notify("sysimage: could not start " .. tostring(result.command), vim.log.levels.ERROR)
      return
    end
    vim.cmd("startinsert")
  end)
end

return M
