-- :SysimageStatus: asks `sysimage/status` for the current buffer's project and shows it in a floating
-- window (project, image, Julia, statements, staleness reasons and the package diff).
local client_mod = require("sysimage.client")
local protocol = require("sysimage.protocol")
local statusline = require("sysimage.statusline")

local M = {}

local function present(v)
  return v ~= nil and v ~= vim.NIL
end

local function age(seconds)
  seconds = tonumber(seconds)
  if not seconds then
    return nil
  end
  if seconds < 90 then
    return ("%d s ago"):format(seconds)
  elseif seconds < 90 * 60 then
    return ("%d min ago"):format(math.floor(seconds / 60 + 0.5))
  elseif seconds < 36 * 3600 then
    return ("%d h ago"):format(math.floor(seconds / 3600 + 0.5))
  end
  return ("%d days ago"):format(math.floor(seconds / 86400 + 0.5))
end

local function row(lines, label, text)
  table.insert(lines, ("%-12s %s"):format(label, text))
end

--- The float's lines for a Status (docs/protocol.md).
function M.lines(s)
  local lines = {}
  row(lines, "Project", ("%s (%s)"):format(s.name or "?", s.kind or "?"))
  row(lines, "", s.project or "")
  local image = s.image
  if type(image) == "table" then
    local parts = { image.path or "?" }
    local details = {}
    if present(image.ageSeconds) then
      table.insert(details, "built " .. age(image.ageSeconds))
    end
    if present(image.juliaVersion) then
      table.insert(details, "Julia " .. image.juliaVersion)
    end
    if present(image.cpuTarget) then
      table.insert(details, image.cpuTarget)
    end
    if present(image.backend) then
      table.insert(details, image.backend)
    end
    if present(image.statements) then
      table.insert(details, image.statements .. " statements")
    end
    row(lines, "Image", parts[1])
    if #details > 0 then
      row(lines, "", table.concat(details, ", "))
    end
    local ttfx = image.ttfx
    if type(ttfx) == "table" and type(ttfx.withImage) == "table" and type(ttfx.withoutImage) == "table" then
      -- Timing objects (docs/protocol.md): medians in seconds.
      row(lines, "", ("TTFX %.2f s → %.2f s with the image (median of %s)"):format(ttfx.withoutImage.median,
        ttfx.withImage.median, ttfx.runs == 1 and "1 run" or (tostring(ttfx.runs) .. " runs")))
    end
  else
    row(lines, "Image", "none yet")
  end
  local julia = type(s.julia) == "table" and s.julia or {}
  if present(julia.error) then
    row(lines, "Julia", ("unusable (%s): %s"):format(julia.errorKind or "error", julia.error))
  else
    row(lines, "Julia", ("%s  %s"):format(julia.version or "?", julia.path or ""))
  end
  local st = type(s.statements) == "table" and s.statements or {}
  local extra = {}
  for _, k in ipairs({ { "newSinceBuild", "new since the build" }, { "nonPortable", "non-portable" },
    { "excluded", "excluded" }, { "invalidLines", "invalid lines" } }) do
    if tonumber(st[k[1]]) and st[k[1]] > 0 then
      table.insert(extra, ("%d %s"):format(st[k[1]], k[2]))
    end
  end
  row(lines, "Statements", tostring(st.total or 0) .. (#extra > 0 and (" (" .. table.concat(extra, ", ") .. ")") or ""))
  local sessions = type(s.recording) == "table" and tonumber(s.recording.sessions) or 0
  if sessions and sessions > 0 then
    row(lines, "Recording", ("%d live session%s"):format(sessions, sessions == 1 and "" or "s"))
  end
  if type(s.store) == "table" and s.store.degraded then
    row(lines, "Store", "cannot save (" .. (s.store.error or "?") .. "); statements kept in memory")
  end
  local stale = s.staleness
  local reasons = type(stale) == "table" and type(stale.reasons) == "table" and #stale.reasons or 0
  local file_error = type(stale) == "table"
    and (type(stale.manifestError) == "table" or type(stale.projectError) == "table" or type(stale.configError) == "table")
  if type(stale) == "table" and (stale.state ~= "none" or reasons > 0 or file_error) then
    row(lines, "Staleness", stale.state or "?")
    for _, reason in ipairs(stale.reasons or {}) do
      table.insert(lines, "  • " .. reason)
    end
    for _, key in ipairs({ "manifestError", "projectError", "configError" }) do
      local e = stale[key]
      if type(e) == "table" then
        local where = (tonumber(e.line) or 0) > 0 and (":" .. e.line .. ((tonumber(e.column) or 0) > 0 and (":" .. e.column) or "")) or ""
        table.insert(lines, ("  ! %s%s: %s"):format(e.file or "?", where, e.message or ""))
      end
    end
    if type(stale.diff) == "table" and #stale.diff > 0 then
      table.insert(lines, "Package diff")
      for _, d in ipairs(stale.diff) do
        local versions = ""
        if present(d.old) or present(d.new) then
          versions = ("%s → %s"):format(present(d.old) and d.old or "—", present(d.new) and d.new or "—")
        end
        table.insert(lines, ("  %-20s %-18s %s"):format(d.name or "?", d.change or "?", versions))
      end
    end
  end
  local build = s.build
  if type(build) == "table" then
    local text = build.state or "?"
    if present(build.percentage) then
      text = text .. (" %d%%"):format(build.percentage)
    end
    if present(build.message) then
      text = text .. " — " .. build.message
    end
    row(lines, "Build", text)
    if present(build.error) then
      row(lines, "", build.error)
    end
  end
  for _, w in ipairs(s.warnings or {}) do
    table.insert(lines, "⚠ " .. w)
  end
  table.insert(lines, "")
  row(lines, "Status line", statusline.format(s))
  return lines
end

--- Shows `lines` in a centered floating window closed by q / <Esc>; returns the window id.
function M.float(lines, title)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].filetype = "sysimage"
  local width = 20
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l))
  end
  width = math.min(width + 2, math.max(20, vim.o.columns - 4))
  local height = math.min(#lines, math.max(1, vim.o.lines - 4))
  local opts = {
    relative = "editor",
    width = width,
    height = height,
    row = math.max(0, math.floor((vim.o.lines - height) / 2) - 1),
    col = math.max(0, math.floor((vim.o.columns - width) / 2)),
    style = "minimal",
    border = "rounded",
  }
  if vim.fn.has("nvim-0.9") == 1 and title then
    opts.title = " " .. title .. " "
  end
  local win = vim.api.nvim_open_win(buf, true, opts)
  for _, key in ipairs({ "q", "<Esc>" }) do
    vim.api.nvim_buf_set_keymap(buf, "n", key, "<cmd>close<CR>", { noremap = true, silent = true, nowait = true })
  end
  return win
end

--- :SysimageStatus
function M.show()
  local client, root = client_mod.current()
  if not client then
    return
  end
  client_mod.request(client, protocol.methods.status, { project = root }, function(err, result)
    if err then
      vim.notify("sysimage: " .. client_mod.describe_error(protocol.methods.status, err), vim.log.levels.ERROR)
      return
    end
    statusline.update(result, client.id)
    M.float(M.lines(result), "Julia sysimage")
  end)
end

return M
