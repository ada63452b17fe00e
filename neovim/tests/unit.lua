-- Headless unit tests of the plugin's protocol handling, on exactly what the real server sends: the
-- messages tests/walkthrough/record_protocol.py recorded into tests/fixtures/protocol/*.json (that test
-- fails when the server's shapes drift from them), and of what needs no server: $/progress display,
-- a socket session's end on a fake transport. No server, no Julia. Neovim 0.7 has no `nvim -l`:
--   nvim --headless -u NONE -i NONE -n -c "set rtp^=<repo>/neovim" -c "luafile neovim/tests/unit.lua"
-- quits with 0 when every case passes, 1 otherwise.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*)/") or "."
local repo = vim.fn.fnamemodify(here .. "/../..", ":p"):gsub("/$", "")
local fixtures_dir = repo .. "/tests/fixtures/protocol"

local protocol = require("sysimage.protocol")
local status = require("sysimage.status")
local statusline = require("sysimage.statusline")
local measure = require("sysimage.measure")
local build = require("sysimage.build")
local config = require("sysimage.config")

local function read(path)
  local f = assert(io.open(path, "rb"), "cannot read " .. path)
  local text = f:read("*a")
  f:close()
  return text
end

--- A fixture as the plugin receives the message: decoded like vim.lsp.rpc does (null in objects -> nil).
local function fixture(name)
  return vim.json.decode(read(fixtures_dir .. "/" .. name .. ".json"), { luanil = { object = true } })
end
local function message(name)
  return fixture(name).message
end
local function status_of(name)
  local m = message(name)
  return m.result or m.params
end

local function contains(lines, text)
  for _, l in ipairs(lines) do
    if l:find(text, 1, true) then
      return true
    end
  end
  return false
end

local function sorted(list)
  local copy = vim.deepcopy(list)
  table.sort(copy)
  return copy
end

local cases = {}
local function case(name, fn)
  table.insert(cases, { name = name, fn = fn })
end

case("the protocol version and commands are the server's", function()
  local caps = message("initialize").result.capabilities
  assert(caps.experimental.sysimage.protocolVersion == protocol.VERSION,
    ("server %s, protocol.lua %s"):format(caps.experimental.sysimage.protocolVersion, protocol.VERSION))
  assert(vim.deep_equal(sorted(caps.executeCommandProvider.commands), sorted(vim.tbl_values(protocol.commands))),
    vim.inspect(caps.executeCommandProvider.commands))
end)

case("every recorded sysimage/ method is declared", function()
  local declared = {}
  for _, m in pairs(protocol.methods) do
    declared[m] = true
  end
  for _, m in pairs(protocol.notifications) do
    declared[m] = true
  end
  for _, file in ipairs(vim.fn.readdir(fixtures_dir)) do
    local f = fixture(file:gsub("%.json$", ""))
    local method = (f.request and f.request.method) or f.message.method
    if method and method:find("^sysimage/") then
      assert(declared[method], file .. ": " .. method .. " is not in protocol.lua")
    end
  end
end)

case("initialization options: exactly the keys of docs/protocol.md", function()
  local doc = read(repo .. "/docs/protocol.md")
  local section = doc:match("### Initialization options\n(.-)\n##")
  assert(section, "docs/protocol.md has no Initialization options section")
  local documented = {}
  for key in section:gmatch("\n| `([%a]+)` |") do
    table.insert(documented, key)
  end
  assert(vim.deep_equal(sorted(documented), sorted(vim.tbl_keys(protocol.init_options))),
    "docs: " .. table.concat(sorted(documented), ", ") .. "; protocol.lua: " .. table.concat(sorted(vim.tbl_keys(protocol.init_options)), ", "))
  local wire = {}
  for _, k in pairs(config.keys) do
    table.insert(wire, k)
  end
  local settings = vim.tbl_filter(function(k)
    return k ~= "token" -- the access token goes with initialize only
  end, vim.tbl_keys(protocol.init_options))
  assert(vim.deep_equal(sorted(wire), sorted(settings)), "config.keys: " .. table.concat(sorted(wire), ", "))
  local sent = config.server_settings(vim.tbl_extend("force", config.defaults, { environment_path = "app" }))
  assert(sent.environmentPath == "app", vim.inspect(sent))
end)

case("the rebuild offer has the declared actions", function()
  local offer = message("rebuildOffer")
  assert(offer.method == "window/showMessageRequest" and offer.params.type == 2, vim.inspect(offer))
  local titles = vim.tbl_map(function(a)
    return a.title
  end, offer.params.actions)
  assert(vim.deep_equal(titles, protocol.rebuild_actions), vim.inspect(titles))
end)

case(":SysimageStatus shows an image with its TTFX measurement", function()
  local s = status_of("status")
  local lines = status.lines(s)
  local t = s.image.ttfx
  local ttfx = ("TTFX %.2f s → %.2f s with the image"):format(t.withoutImage.median, t.withImage.median)
  assert(contains(lines, ttfx), ttfx .. " not in\n" .. table.concat(lines, "\n"))
  assert(contains(lines, s.image.path), table.concat(lines, "\n"))
  assert(statusline.format(s) == "sysimage ✓", statusline.format(s))
end)

case(":SysimageStatus and the status line for every recorded status", function()
  local expected = {
    status = "sysimage ✓",
    statusChanged = "sysimage ✓",
    statusNoImage = "sysimage: no image",
    statusOutdated = "sysimage",
    statusJuliaNotFound = "sysimage: Julia not found",
  }
  for name, want in pairs(expected) do
    local s = status_of(name)
    local ok, lines = pcall(status.lines, s)
    assert(ok, name .. ": " .. tostring(lines))
    local got = statusline.format(s)
    assert(got:sub(1, #want) == want, ("%s: status line %q, expected %q…"):format(name, got, want))
  end
  local b = status_of("statusBuilding")
  assert(statusline.format(b) == ("building %d%%"):format(b.build.percentage), statusline.format(b))
  assert(contains(status.lines(b), b.build.message), table.concat(status.lines(b), "\n"))
end)

case("a package diff is listed under its recorded change name", function()
  local s = status_of("statusOutdated")
  local d = s.staleness.diff[1]
  assert(d and d.change ~= "sourceChanged" and d.change ~= "juliaChanged", vim.inspect(d))
  local lines = status.lines(s)
  assert(contains(lines, d.name) and contains(lines, d.change), table.concat(lines, "\n"))
  local format = statusline.format(s)
  assert(format == "sysimage outdated" or format == "sysimage: rebuild suggested", format)
end)

case(":SysimageStatus shows where the manifest cannot be read", function()
  local s = status_of("statusManifestError")
  local e = s.staleness.manifestError
  local want = ("%s:%d:%d: %s"):format(e.file, e.line, e.column, e.message)
  assert(contains(status.lines(s), want), want .. " not in\n" .. table.concat(status.lines(s), "\n"))
end)

case(":SysimageMeasure formats the Timing objects", function()
  local m = message("measure").result
  local lines = measure.lines(m)
  local without = ("%.2f s"):format(m.withoutImage.median)
  assert(contains(lines, without) and contains(lines, ("%.2f s"):format(m.withImage.median)), table.concat(lines, "\n"))
end)

case(":SysimageBuild shows the server's message, not data.reason", function()
  local err = message("buildFailed").error
  assert(err.data.reason == "buildFailed", vim.inspect(err))
  local text = build.failure_message(err)
  assert(text:find(err.message, 1, true), text)
  assert(not text:find("buildFailed", 1, true), text)
  local done = message("build").result
  assert(type(done.image) == "string", vim.inspect(done))
  assert(build.done_message(done) == "sysimage: up to date: " .. done.image, build.done_message(done))
  local cancelled = message("buildCancelled").error
  assert(cancelled.code == protocol.errors.RequestCancelled, vim.inspect(cancelled))
end)

--- Runs fn with vim.notify and vim.api.nvim_echo recording into the returned lists, then restores them.
--- notes: {msg, level}; echoes: the echoed text.
local function capturing(fn)
  local notes, echoes = {}, {}
  local notify, echo = vim.notify, vim.api.nvim_echo
  vim.notify = function(msg, level)
    table.insert(notes, { msg = tostring(msg), level = level })
  end
  vim.api.nvim_echo = function(chunks)
    table.insert(echoes, table.concat(vim.tbl_map(function(c)
      return c[1]
    end, chunks)))
  end
  local ok, err = pcall(fn, notes, echoes)
  vim.notify, vim.api.nvim_echo = notify, echo
  assert(ok, err)
  return notes, echoes
end

local function matching(notes, pattern)
  return vim.tbl_filter(function(n)
    return n.msg:find(pattern) ~= nil
  end, notes)
end

-- $/progress (LSP work done progress) as the server sends it for builds: shown by the plugin unless a
-- progress plugin is loaded; Neovim's own handler (progress state, LspProgress) runs first either way.
case("$/progress renders as notifications, and not while a progress plugin (fidget) is loaded", function()
  local progress = require("sysimage.progress")
  config.set({})
  local default = vim.lsp.handlers["$/progress"]
  local passed_on = 0
  vim.lsp.handlers["$/progress"] = function()
    passed_on = passed_on + 1
  end
  local ok, err = pcall(function()
    local ctx = { client_id = 1, method = "$/progress" }
    local token = "sysimage-progress-test"
    progress.history, progress.counts = {}, {}
    local notes, echoes = capturing(function()
      progress.handler(nil, { token = token, value = { kind = "begin", title = "Building sysimage", cancellable = true, percentage = 0 } }, ctx, {})
      progress.handler(nil, { token = token, value = { kind = "report", message = "Replaying statements 412/1020", percentage = 45 } }, ctx, {})
      progress.handler(nil, { token = token, value = { kind = "end", message = "Built" } }, ctx, {})
    end)
    local shown = vim.tbl_map(function(h)
      return h.kind .. ": " .. h.text
    end, progress.history)
    assert(vim.deep_equal(shown, {
      "begin: [sysimage] Building sysimage 0%",
      "report: [sysimage] Building sysimage 45%: Replaying statements 412/1020",
      "end: [sysimage] Building sysimage: Built",
    }), vim.inspect(shown))
    local notified = vim.tbl_map(function(n)
      return n.msg
    end, notes)
    assert(vim.deep_equal(notified, { "[sysimage] Building sysimage 0%", "[sysimage] Building sysimage: Built" }),
      "notifications: " .. vim.inspect(notified))
    assert(vim.deep_equal(echoes, { "[sysimage] Building sysimage 45%: Replaying statements 412/1020" }),
      "reports echoed: " .. vim.inspect(echoes))
    assert(passed_on == 3, ("Neovim's $/progress handler got %d of 3 messages"):format(passed_on))

    package.loaded["fidget"] = {}
    progress.history = {}
    notes, echoes = capturing(function()
      progress.handler(nil, { token = token, value = { kind = "begin", title = "Building sysimage" } }, ctx, {})
      progress.handler(nil, { token = token, value = { kind = "end" } }, ctx, {})
    end)
    package.loaded["fidget"] = nil
    assert(#progress.history == 0, "progress shown although a progress plugin is loaded")
    assert(#notes == 0 and #echoes == 0, "progress shown although a progress plugin is loaded: "
      .. vim.inspect({ notes = notes, echoes = echoes }))
    assert(passed_on == 5, "Neovim's $/progress handler was skipped while a progress plugin is loaded")
  end)
  vim.lsp.handlers["$/progress"] = default
  package.loaded["fidget"] = nil
  assert(ok, err)
end)

-- A dying server's listener may still take the connection and then reset it before answering
-- initialize: said as "no answer" at once, not silence, not "disconnected" (connect.graceful on a
-- fake transport; the real sockets are run.lua's).
case("a socket session reset before initialize was answered is said once as 'no answer'", function()
  local connect = require("sysimage.connect")
  local notes = capturing(function(notes)
    local fake = {}
    local session = connect.graceful(function(dispatchers)
      fake.dispatchers = dispatchers
      local closing = false
      return {
        request = function() return true, 1 end,
        notify = function() return true end,
        is_closing = function() return closing end,
        terminate = function()
          if not closing then
            closing = true
            dispatchers.on_exit(0, 0)
          end
        end,
      }
    end, "tcp:127.0.0.1:1", 100)({})
    session.request("initialize", {}, function() end)
    fake.dispatchers.on_error(vim.lsp.rpc.client_errors.READ_ERROR, "ECONNRESET")
    assert(session.is_closing(), "a session reset before initialize was answered is not closed")
    vim.wait(300, function()
      return false
    end) -- past the give-up timeout (the note comes from a vim.schedule callback): still said once
  end)
  assert(#matching(notes, "^sysimage: no answer from tcp:127%.0%.0%.1:1:") == 1,
    "a session reset before initialize was answered was not said once as 'no answer': " .. vim.inspect(notes))
  assert(#matching(notes, "^sysimage server disconnected") == 0,
    "a session reset before initialize was answered was announced as disconnected")
end)

local failed = 0
for _, c in ipairs(cases) do
  local ok, err = xpcall(c.fn, debug.traceback)
  io.stdout:write((ok and "PASS " or "FAIL ") .. c.name .. (ok and "" or ("\n" .. tostring(err))) .. "\n")
  if not ok then
    failed = failed + 1
  end
end
io.stdout:write(("%d of %d passed\n"):format(#cases - failed, #cases))
io.stdout:flush()
vim.cmd(failed == 0 and "qall!" or "cquit 1")
