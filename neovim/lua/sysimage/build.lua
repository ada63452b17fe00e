-- :SysimageBuild and :SysimageCancel: `sysimage/build` and `sysimage/cancelBuild` (docs/protocol.md; an
-- older server without them answers -32601, reported as "not available yet").
-- Progress arrives as standard `$/progress` (see progress.lua); the result or failure is notified here.
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

--- The notification for a failed `sysimage/build` (`err`: the JSON-RPC error): the server's message (what went
--- wrong in words, never the machine-readable data.reason), then the last log lines.
function M.failure_message(err)
  if type(err) == "table" and err.code == protocol.errors.RequestFailed then
    local msg = "sysimage: build failed: " .. tostring(err.message or "?")
    local tail = type(err.data) == "table" and type(err.data.logTail) == "table" and err.data.logTail or {}
    if #tail > 0 then
      msg = msg .. "\n" .. table.concat(vim.list_slice(tail, math.max(1, #tail - 9)), "\n") .. "\n(:SysimageLog for the whole log)"
    end
    return msg
  end
  return "sysimage: " .. client_mod.describe_error(protocol.methods.build, err)
end

--- The notification for a `sysimage/build` result.
function M.done_message(result)
  if result.cached then
    return ("sysimage: up to date: %s"):format(tostring(result.image))
  end
  return ("sysimage: built %s in %.0f s (%s statements, %s failed, %s)"):format(tostring(result.image),
    tonumber(result.durationSeconds) or 0, tostring(result.statementsOk), tostring(result.statementsFailed),
    tostring(result.backend))
end

--- :SysimageBuild[!] [cpu_target]: builds the current project's sysimage; ! forces a rebuild.
function M.build(opts)
  opts = opts or {}
  local client, root = client_mod.current()
  if not client then
    return
  end
  local options = { force = opts.force or nil, cpuTarget = opts.cpu_target }
  if vim.tbl_isempty(options) then
    options = nil
  end
  client_mod.request(client, protocol.methods.build, { project = root, options = options }, function(err, result)
    if err and err.code == protocol.errors.RequestCancelled then
      vim.notify("sysimage: build cancelled", vim.log.levels.WARN)
    elseif err then
      vim.notify(M.failure_message(err), vim.log.levels.ERROR)
    else
      vim.notify(M.done_message(result), vim.log.levels.INFO)
    end
  end)
end

--- :SysimageCancel: cancels the current project's running build.
function M.cancel()
  local client, root = client_mod.current()
  if not client then
    return
  end
  client_mod.request(client, protocol.methods.cancelBuild, { project = root }, function(err, result)
    if err then
      vim.notify("sysimage: " .. client_mod.describe_error(protocol.methods.cancelBuild, err), vim.log.levels.ERROR)
    elseif result and result.cancelled then
      vim.notify("sysimage: cancelling the build", vim.log.levels.INFO)
    else
      vim.notify("sysimage: no build is running for " .. root, vim.log.levels.INFO)
    end
  end)
end

return M
