-- :SysimageLog: the newest build log of the current project (`sysimage/buildLog`) in a
-- read-only scratch buffer.
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

--- :SysimageLog [buildId]
function M.show(build_id)
  local client, root = client_mod.current()
  if not client then
    return
  end
  local params = { project = root, buildId = (build_id ~= "" and build_id) or nil }
  client_mod.request(client, protocol.methods.buildLog, params, function(err, result)
    if err then
      vim.notify("sysimage: " .. client_mod.describe_error(protocol.methods.buildLog, err), vim.log.levels.ERROR)
      return
    end
    vim.cmd("botright new")
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "wipe"
    vim.bo[buf].swapfile = false
    pcall(vim.api.nvim_buf_set_name, buf, "sysimage://build-log/" .. tostring(result.buildId or "latest"))
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(result.log or "", "\n", { plain = true }))
    vim.bo[buf].modifiable = false
    vim.b[buf].sysimage_root = root
    vim.b[buf].sysimage_log_path = result.path
    vim.cmd("normal! G")
  end)
end

return M
