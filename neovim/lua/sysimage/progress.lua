-- Work done progress (`$/progress`, e.g. "Building sysimage 45%") shown with vim.notify/echo, unless
-- the user turned it off (`progress = false`) or a progress plugin (fidget.nvim and the like) is loaded,
-- which then shows it from Neovim's own progress handling.
local config = require("sysimage.config")

local M = {}

--- Modules whose presence means another plugin displays LSP progress.
M.progress_plugins = { "fidget", "noice", "lsp-progress", "lsp-status", "mini.notify" }

--- What was shown, newest last (at most 50): {kind = "begin"|"report"|"end", text = string}.
M.history = {}
--- How many of each kind were shown since the last reset: {begin = n, report = n, ["end"] = n}.
M.counts = {}

local titles = {} -- token -> title of the running operation
local last_report = {} -- token -> last echoed text

--- Whether this plugin shows progress itself.
function M.enabled()
  if config.get().progress == false then
    return false
  end
  for _, name in ipairs(M.progress_plugins) do
    if package.loaded[name] then
      return false
    end
  end
  return true
end

local function remember(kind, text)
  M.counts[kind] = (M.counts[kind] or 0) + 1
  table.insert(M.history, { kind = kind, text = text })
  if #M.history > 50 then
    table.remove(M.history, 1)
  end
end

local function show(kind, text, level)
  remember(kind, text)
  if kind == "report" then
    -- Reports come often: echo without history instead of piling up notifications.
    vim.api.nvim_echo({ { text } }, false, {})
  else
    vim.notify(text, level or vim.log.levels.INFO)
  end
end

local function describe(title, value)
  local text = "[sysimage] " .. (title or "working")
  if value.percentage then
    text = text .. (" %d%%"):format(value.percentage)
  end
  if value.message and value.message ~= "" then
    text = text .. ": " .. value.message
  end
  return text
end

--- The client's `$/progress` handler: Neovim's own handler first (client progress state, LspProgress
--- autocommands, progress plugins), then our display when enabled.
function M.handler(err, result, ctx, handler_config)
  local default = vim.lsp.handlers["$/progress"]
  if default and default ~= M.handler then
    pcall(default, err, result, ctx, handler_config)
  end
  if type(result) ~= "table" or type(result.value) ~= "table" then
    return
  end
  local token, value = result.token, result.value
  if value.kind == "begin" then
    titles[token] = value.title
  end
  local title = titles[token]
  if value.kind == "end" then
    titles[token], last_report[token] = nil, nil
  end
  if not M.enabled() then
    return
  end
  if value.kind == "begin" then
    show("begin", describe(title, value))
  elseif value.kind == "report" then
    local text = describe(title, value)
    if text ~= last_report[token] then
      last_report[token] = text
      show("report", text)
    end
  elseif value.kind == "end" then
    show("end", "[sysimage] " .. (title or "done") .. ((value.message and value.message ~= "") and (": " .. value.message) or ": done"))
  end
end

return M
