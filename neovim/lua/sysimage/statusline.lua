-- The status-line string for the current buffer's project, kept current by `sysimage/statusChanged`
-- (and by every `sysimage/status` answer the plugin receives).
local M = {}

local statuses = {} -- normalized project directory -> Status (docs/protocol.md)

--- Remembers `status` (a Status) and redraws status lines; fires `User SysimageStatusChanged`.
function M.update(status, _client_id)
  if type(status) ~= "table" or type(status.project) ~= "string" then
    return
  end
  statuses[require("sysimage.client").normalize(status.project)] = status
  vim.schedule(function()
    -- `data` reaches autocommands from Neovim 0.8 on.
    local opts = { pattern = "SysimageStatusChanged", modeline = false }
    if vim.fn.has("nvim-0.8") == 1 then
      opts.data = status
    end
    pcall(vim.api.nvim_exec_autocmds, "User", opts)
    pcall(vim.cmd, "redrawstatus!")
  end)
end

--- The last Status seen for the project at `root`, or nil.
function M.get(root)
  return root and statuses[require("sysimage.client").normalize(root)]
end

--- The short text for a Status:
--- "sysimage: Julia not found", "building 45%", "sysimage: build failed", "sysimage outdated",
--- "sysimage: rebuild suggested", "sysimage ✓", "sysimage: 57 recorded", "sysimage: no image".
function M.format(s)
  if type(s) ~= "table" then
    return ""
  end
  local julia = type(s.julia) == "table" and s.julia or {}
  if julia.error and julia.error ~= vim.NIL then
    return julia.errorKind == "notFound" and "sysimage: Julia not found" or "sysimage: Julia unusable"
  end
  local build = type(s.build) == "table" and s.build or nil
  if build and (build.state == "running" or build.state == "queued") then
    local pct = tonumber(build.percentage)
    return pct and ("building %d%%"):format(pct) or "building…"
  end
  if build and build.state == "failed" then
    return "sysimage: build failed"
  end
  local state = type(s.staleness) == "table" and s.staleness.state or nil
  if state == "unsafe" or state == "unusable" then
    return "sysimage outdated"
  end
  if state == "suggested" then
    return "sysimage: rebuild suggested"
  end
  if type(s.image) == "table" then
    return "sysimage ✓"
  end
  local total = type(s.statements) == "table" and tonumber(s.statements.total) or 0
  if total and total > 0 then
    return ("sysimage: %d recorded"):format(total)
  end
  return "sysimage: no image"
end

--- The status-line text for `bufnr` (default: current): "" outside Julia projects, "sysimage…" until the
--- server has answered.
function M.status(bufnr)
  local client = require("sysimage.client")
  local root = client.root_for(bufnr)
  if not root then
    return ""
  end
  local s = M.get(root)
  if not s then
    return client.get(bufnr) and "sysimage…" or ""
  end
  return M.format(s)
end

return M
