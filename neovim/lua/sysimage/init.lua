-- Entry point of the Neovim client for sysimage-server: setup(), the :Sysimage* commands, the
-- autocommands that start one LSP client per Julia project, and status() for status lines.
local config = require("sysimage.config")
local client = require("sysimage.client")

local M = {}

--- Whether setup() has run.
M.configured = false

local function create_command(name, fn, opts)
  vim.api.nvim_create_user_command(name, fn, opts or {})
end

local function register_commands()
  create_command("SysimageStatus", function()
    require("sysimage.status").show()
  end, { desc = "Julia sysimage: status of the current project" })
  create_command("SysimageBuild", function(a)
    require("sysimage.build").build({ force = a.bang, cpu_target = a.args ~= "" and a.args or nil })
  end, { bang = true, nargs = "?", desc = "Julia sysimage: build (! forces; optional CPU target)" })
  create_command("SysimageCancel", function()
    require("sysimage.build").cancel()
  end, { desc = "Julia sysimage: cancel the running build" })
  create_command("SysimageRepl", function()
    require("sysimage.repl").open()
  end, { desc = "Julia sysimage: a recording Julia REPL in a terminal" })
  create_command("SysimageMeasure", function(a)
    require("sysimage.measure").measure(a.args)
  end, { nargs = "?", complete = "file", desc = "Julia sysimage: measure TTFX with and without the image" })
  create_command("SysimageLog", function(a)
    require("sysimage.log").show(a.args)
  end, { nargs = "?", desc = "Julia sysimage: the newest build log" })
  create_command("SysimageClearStatements", function(a)
    require("sysimage.statements").clear(a.bang)
  end, { bang = true, desc = "Julia sysimage: forget the recorded statements (! without asking)" })
end

local function register_autocmds(opts)
  if vim.filetype and vim.filetype.add then
    vim.filetype.add({ extension = { jl = "julia" } })
  end
  local group = vim.api.nvim_create_augroup("sysimage", { clear = true })
  -- Filetype detection may be off (nvim -u NONE) or lack Julia: *.jl is Julia.
  vim.api.nvim_create_autocmd({ "BufNewFile", "BufRead" }, {
    group = group,
    pattern = "*.jl",
    callback = function(a)
      if vim.bo[a.buf].filetype == "" then
        vim.bo[a.buf].filetype = "julia"
      end
    end,
  })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(a)
      client.attach(a.buf)
    end,
  })
  -- :checkhealth opens a buffer of its own; remember the file the user was in.
  vim.api.nvim_create_autocmd("BufEnter", {
    group = group,
    callback = function(a)
      if vim.bo[a.buf].buftype == "" and vim.api.nvim_buf_get_name(a.buf) ~= "" then
        client.last_buffer = a.buf
      end
    end,
  })
end

--- Configures the plugin (see config.lua for the options and defaults) and starts clients for the Julia
--- buffers already open. Called again, it sends the new settings to the running servers
--- (workspace/didChangeConfiguration); server_path, server_args and connect apply to new clients.
function M.setup(opts)
  if vim.fn.has("nvim-0.7") == 0 then
    vim.notify("sysimage: needs Neovim 0.7 or newer", vim.log.levels.ERROR)
    return
  end
  local again = M.configured
  opts = config.set(opts)
  M.configured = true
  register_commands()
  register_autocmds(opts)
  if again then
    client.push_settings()
  end
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      local ft = vim.bo[buf].filetype
      if ft == "" and vim.api.nvim_buf_get_name(buf):match("%.jl$") then
        vim.bo[buf].filetype = "julia" -- triggers FileType
      elseif vim.tbl_contains(opts.filetypes, ft) then
        client.attach(buf)
      end
    end
  end
end

--- The status-line text for the current buffer's project (see statusline.lua): "" outside Julia projects.
function M.status(bufnr)
  return require("sysimage.statusline").status(bufnr)
end

return M
