-- :SysimageClearStatements[!]: forgets the project's recorded precompile statements
-- (`workspace/executeCommand` `sysimage.clearStatements`); asks first unless ! is given.
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")

local M = {}

function M.clear(force)
  local client, root = client_mod.current()
  if not client then
    return
  end
  if not force then
    local answer = vim.fn.confirm(("Forget every recorded statement of %s?"):format(root), "&Yes\n&No", 2)
    if answer ~= 1 then
      return
    end
  end
  client_mod.execute(client, protocol.commands.clearStatements, root, function(err, result)
    if err then
      vim.notify("sysimage: " .. client_mod.describe_error(protocol.commands.clearStatements, err), vim.log.levels.ERROR)
      return
    end
    require("sysimage.statusline").update(result, client.id)
    vim.notify(("sysimage: cleared the recorded statements of %s"):format(result and result.name or root), vim.log.levels.INFO)
  end)
end

return M
