-- :SysimageBuild and :SysimageCancel: `sysimage/build` and `sysimage/cancelBuild` (docs/protocol.md; an
-- older server without them answers -32601, reported as "not available yet").
-- Progress arrives as standard `$/progress` (see progress.lua); the result or failure is notified here.
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

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
    if err then
      local msg
      if err.code == protocol.errors.RequestCancelled then
        vim.notify("sysimage: build cancelled", vim.log.levels.WARN)
        return
      elseif err.code == protocol.errors.RequestFailed and type(err.data) == "table" then
        msg = ("sysimage: build failed: %s"):format(err.data.reason or err.message or "?")
        local tail = type(err.data.logTail) == "table" and err.data.logTail or {}
        if #tail > 0 then
          msg = msg .. "\n" .. table.concat(vim.list_slice(tail, math.max(1, #tail - 9)), "\n") .. "\n(:SysimageLog for the whole log)"
        end
      else
        msg = "sysimage: " .. client_mod.describe_error(protocol.methods.build, err)
      end
      vim.notify(msg, vim.log.levels.ERROR)
      return
    end
    local text = ("sysimage: built %s in %.0f s (%s statements, %s failed, %s)%s"):format(
      result.image or "?", tonumber(result.durationSeconds) or 0, tostring(result.statementsOk or "?"),
      tostring(result.statementsFailed or 0), tostring(result.backend or "?"), result.cached and ", cached" or "")
    vim.notify(text, vim.log.levels.INFO)
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
