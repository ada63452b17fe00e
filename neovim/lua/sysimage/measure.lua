-- :SysimageMeasure: time to first execution with and without the sysimage (`sysimage/measure`,
-- docs/protocol.md), reported with vim.notify.
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

local function timing(t)
  if type(t) ~= "table" or not tonumber(t.median) then
    return "—"
  end
  return ("%.2f s (%.2f–%.2f)"):format(t.median, tonumber(t.min) or t.median, tonumber(t.max) or t.median)
end

--- The report's lines for a measure result.
function M.lines(r)
  local lines = {
    ("sysimage: TTFX of %s, %s runs"):format(tostring(r.workload or "the workload"), tostring(r.runs or "?")),
    "  bare Julia      " .. timing(r.bare),
    "  without image   " .. timing(r.withoutImage),
    "  with image      " .. timing(r.withImage),
  }
  if tonumber(r.speedup) then
    table.insert(lines, ("  speedup         %.1f×"):format(r.speedup))
  end
  return lines
end

--- :SysimageMeasure [workload.jl]
function M.measure(workload)
  local client, root = client_mod.current()
  if not client then
    return
  end
  local params = { project = root, workload = (workload ~= "" and workload) or nil }
  vim.notify("sysimage: measuring TTFX…", vim.log.levels.INFO)
  client_mod.request(client, protocol.methods.measure, params, function(err, result)
    if err then
      vim.notify("sysimage: " .. client_mod.describe_error(protocol.methods.measure, err), vim.log.levels.ERROR)
      return
    end
    vim.notify(table.concat(M.lines(result), "\n"), vim.log.levels.INFO)
  end)
end

return M
