-- Headless end-to-end tests of the sysimage plugin: the real sysimage-server and the real Julia on a copy
-- of examples/fl-insurance. Started by run.sh (which sets the SYSIMAGE_TEST_* variables) as
--   nvim --headless -u NONE -c "set rtp^=<repo>/neovim" -c "luafile run.lua"
-- Runs the steps in order, stops at the first failure, and quits with 0 (pass) or 1 (fail).
local T = {
  server = assert(vim.env.SYSIMAGE_TEST_SERVER, "SYSIMAGE_TEST_SERVER"),
  julia = assert(vim.env.SYSIMAGE_TEST_JULIA, "SYSIMAGE_TEST_JULIA"),
  project = assert(vim.env.SYSIMAGE_TEST_PROJECT, "SYSIMAGE_TEST_PROJECT"),
  tmp = assert(vim.env.SYSIMAGE_TEST_TMP, "SYSIMAGE_TEST_TMP"),
  repo = assert(vim.env.SYSIMAGE_TEST_REPO, "SYSIMAGE_TEST_REPO"),
}
T.server_log = T.tmp .. "/server.log"

local function log(...)
  io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), " ") .. "\n")
  io.stdout:flush()
end

local function fail(msg)
  error(msg, 0)
end

local function check(cond, msg)
  if not cond then
    fail(msg)
  end
  return cond
end

local function wait_for(ms, fn, what)
  if not vim.wait(ms, fn, 50) then
    fail(("timed out after %d ms waiting for %s"):format(ms, what))
  end
end

-- Every vim.notify is kept (and printed); prompts never block the headless run.
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = tostring(msg), level = level })
  log("  notify[" .. tostring(level) .. "]: " .. tostring(msg))
end
local prompts = {}
vim.fn.inputlist = function(items)
  table.insert(prompts, items)
  log("  inputlist: " .. table.concat(items, " | "))
  return 2 -- the second action: "Not now" for the rebuild offer
end
vim.ui.select = function(items, opts, on_choice)
  table.insert(prompts, items)
  log("  ui.select: " .. tostring(opts and opts.prompt))
  on_choice(items[2], 2)
end

local function notes_matching(pattern)
  return vim.tbl_filter(function(n)
    return n.msg:find(pattern) ~= nil
  end, notes)
end

--- Runs `cmd` (a list) as a job while the event loop keeps running; returns exit code, stdout, stderr.
local function run(cmd, timeout_ms, opts)
  local done, out, err
  local job = vim.fn.jobstart(cmd, vim.tbl_extend("force", {
    -- Not a socket: `sysimage-server record` hands Julia /dev/stdin, which cannot be reopened for a socket.
    stdin = "null",
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      out = table.concat(data, "\n")
    end,
    on_stderr = function(_, data)
      err = table.concat(data, "\n")
    end,
    on_exit = function(_, code)
      done = code
    end,
  }, opts or {}))
  check(job > 0, "could not start " .. cmd[1])
  wait_for(timeout_ms, function()
    return done ~= nil
  end, table.concat(cmd, " "))
  vim.wait(1000, function()
    return out ~= nil and err ~= nil
  end, 20)
  return done, out or "", err or ""
end

local sysimage = require("sysimage")
local client_mod = require("sysimage.client")
local statusline = require("sysimage.statusline")

local base_opts = {
  server_path = T.server,
  julia_path = T.julia,
  server_args = { "--log-file", T.server_log },
  log_level = "debug",
}

local function float_windows()
  return vim.tbl_filter(function(w)
    return vim.api.nvim_win_get_config(w).relative ~= ""
  end, vim.api.nvim_list_wins())
end

local function close_floats()
  for _, w in ipairs(float_windows()) do
    pcall(vim.api.nvim_win_close, w, true)
  end
end

--- Runs :SysimageStatus and returns the float's lines.
local function status_float()
  close_floats()
  vim.cmd("SysimageStatus")
  wait_for(15000, function()
    return #float_windows() > 0
  end, "the :SysimageStatus float")
  local win = float_windows()[1]
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
  close_floats()
  return lines
end

local function current_status()
  return statusline.get(T.project)
end

local main_buf, main_client

local steps = {}
local function step(name, fn)
  table.insert(steps, { name = name, fn = fn })
end

step("opening workload.jl attaches the client", function()
  sysimage.setup(vim.tbl_extend("force", base_opts, { suggest_rebuild_after_statements = 100000 }))
  vim.cmd("edit " .. vim.fn.fnameescape(T.project .. "/workload.jl"))
  main_buf = vim.api.nvim_get_current_buf()
  check(vim.bo.filetype == "julia", "filetype is " .. vim.bo.filetype)
  wait_for(15000, function()
    return #client_mod.buf_clients(main_buf) > 0
  end, "the sysimage client to attach")
  main_client = client_mod.buf_clients(main_buf)[1]
  check(main_client.config.root_dir == client_mod.normalize(T.project), "root_dir " .. tostring(main_client.config.root_dir))
  wait_for(15000, function()
    return client_mod.capabilities(main_client).executeCommandProvider ~= nil
  end, "the initialize answer")
  log("  server commands: " .. table.concat(client_mod.capabilities(main_client).executeCommandProvider.commands, ", "))
end)

step("a second buffer of the same project reuses the client", function()
  vim.cmd("edit " .. vim.fn.fnameescape(T.project .. "/src/FLInsurance.jl"))
  local buf = vim.api.nvim_get_current_buf()
  wait_for(10000, function()
    return #client_mod.buf_clients(buf) > 0
  end, "attach to src/FLInsurance.jl")
  check(client_mod.buf_clients(buf)[1].id == main_client.id, "a second client was started")
  check(#client_mod.clients() == 1, #client_mod.clients() .. " clients running")
  vim.cmd("buffer " .. main_buf)
end)

step("status() follows sysimage/statusChanged (nothing recorded yet)", function()
  wait_for(20000, function()
    return current_status() ~= nil
  end, "the first sysimage/statusChanged")
  check(sysimage.status() == "sysimage: no image", "status() = " .. sysimage.status())
end)

step(":SysimageStatus shows the project in a float", function()
  local lines = status_float()
  log("  | " .. table.concat(lines, "\n  | "))
  check(table.concat(lines, "\n"):find("FLInsurance", 1, true), "no FLInsurance in the float")
  check(table.concat(lines, "\n"):find("Julia", 1, true), "no Julia line in the float")
end)

step("statements recorded by `sysimage-server record` reach status()", function()
  local code, _, err = run({ T.server, "record", "--project", T.project, "--", T.julia, "--project=" .. T.project,
    T.project .. "/workload.jl" }, 300000)
  check(code == 0, "record exited with " .. code .. ": " .. err)
  log("  record: " .. vim.trim(err))
  local in_all = tonumber(err:match("(%d+) in all"))
  check(in_all and in_all > 0, "record did not say how many statements the store holds")
  local want = ("sysimage: %d recorded"):format(in_all)
  -- statusChanged may already bring it; else :SysimageStatus asks and updates the status line.
  if not vim.wait(3000, function()
    return sysimage.status() == want
  end, 50) then
    log("  (no statusChanged with the final count within 3 s; asking with :SysimageStatus)")
    status_float()
  end
  check(sysimage.status() == want, ("status() = %q, want %q"):format(sysimage.status(), want))
  check(current_status().statements.total == in_all, vim.inspect(current_status().statements))
  log("  status(): " .. sysimage.status())
end)

step("setup() again sends the settings (workspace/didChangeConfiguration)", function()
  sysimage.setup(vim.tbl_extend("force", base_opts, { julia_path = T.tmp .. "/no-such-julia" }))
  if not vim.wait(5000, function()
    return sysimage.status():find("Julia", 1, true) ~= nil
  end, 50) then
    log("  (no statusChanged after the settings change; asking with :SysimageStatus)")
    status_float()
  end
  log("  with juliaPath = <missing>: " .. sysimage.status())
  check(sysimage.status() == "sysimage: Julia not found", "status() = " .. sysimage.status())
  sysimage.setup(vim.tbl_extend("force", base_opts, { suggest_rebuild_after_statements = 100000 }))
  if not vim.wait(5000, function()
    return sysimage.status():find("recorded", 1, true) ~= nil
  end, 50) then
    log("  (no statusChanged after the settings change; asking with :SysimageStatus)")
    status_float()
  end
  check(sysimage.status():match("^sysimage: %d+ recorded$"), "after restoring juliaPath: " .. sysimage.status())
end)

step(":SysimageRepl runs a recording REPL in a terminal", function()
  local before = current_status().statements.total
  vim.cmd("SysimageRepl")
  wait_for(15000, function()
    return vim.bo.buftype == "terminal"
  end, "the REPL terminal")
  local term = vim.api.nvim_get_current_buf()
  local job = vim.b[term].terminal_job_id
  check(vim.b[term].sysimage_root == client_mod.normalize(T.project), "terminal not tied to the project")
  wait_for(120000, function()
    return table.concat(vim.api.nvim_buf_get_lines(term, 0, -1, false), "\n"):find("julia>", 1, true) ~= nil
  end, "the julia> prompt")
  vim.fn.chansend(job, "nvim_test_fn(x) = x * 2 + 1; println(\"answer=\", nvim_test_fn(20))\r")
  wait_for(60000, function()
    return table.concat(vim.api.nvim_buf_get_lines(term, 0, -1, false), "\n"):find("answer=41", 1, true) ~= nil
  end, "the REPL to evaluate")
  wait_for(30000, function()
    return current_status().statements.total > before
  end, "statusChanged with the REPL's statements (had " .. before .. ")")
  log(("  statements %d -> %d; status(): %s"):format(before, current_status().statements.total, sysimage.status()))
  vim.fn.chansend(job, "exit()\r")
  check(vim.fn.jobwait({ job }, 30000)[1] == 0, "the REPL did not exit with 0")
  vim.cmd("bwipeout! " .. term)
  vim.cmd("stopinsert")
  vim.cmd("buffer " .. main_buf)
end)

step("connect = tcp/unix: a socket session, or the stdio fallback on Neovim 0.7/0.8", function()
  local second = T.tmp .. "/second"
  vim.fn.mkdir(second, "p")
  vim.fn.writefile({ 'name = "Second"', 'uuid = "0b5b4a3c-1d1e-4f43-9d54-5f1e8d3c2a10"' }, second .. "/Project.toml")
  vim.fn.writefile({ "println(1 + 1)" }, second .. "/a.jl")
  local function open_second(file)
    vim.cmd("edit " .. vim.fn.fnameescape(second .. "/" .. file))
    local buf = vim.api.nvim_get_current_buf()
    wait_for(15000, function()
      return #client_mod.buf_clients(buf) > 0
    end, "a client for " .. file)
    wait_for(15000, function()
      return statusline.get(second) ~= nil
    end, "the status of the second project")
    check(sysimage.status() == "sysimage: no image", "second project: " .. sysimage.status())
    return client_mod.buf_clients(buf)[1]
  end
  if vim.lsp.rpc and vim.lsp.rpc.connect then
    local listen = { "tcp:127.0.0.1:0" }
    if vim.fn.has("nvim-0.10") == 1 then
      table.insert(listen, "unix:" .. T.tmp .. "/sysimage.sock")
    end
    local cmd = { T.server, "--log-file", T.tmp .. "/listen.log", "serve" }
    for _, l in ipairs(listen) do
      vim.list_extend(cmd, { "--listen", l })
    end
    local port
    local job = vim.fn.jobstart(cmd, {
      on_stdout = function(_, data)
        for _, line in ipairs(data) do
          port = port or line:match("listening on tcp:127%.0%.0%.1:(%d+)")
        end
      end,
    })
    wait_for(10000, function()
      return port ~= nil
    end, "the listening server's port")
    sysimage.setup(vim.tbl_extend("force", base_opts, { connect = "tcp:127.0.0.1:" .. port }))
    local c = open_second("a.jl")
    check(type(c.config.cmd) == "function", "the TCP client was started over stdio")
    log("  attached over tcp:127.0.0.1:" .. port)
    if vim.fn.has("nvim-0.10") == 1 then
      vim.lsp.stop_client(c.id)
      wait_for(5000, function()
        return #client_mod.buf_clients(vim.api.nvim_get_current_buf()) == 0
      end, "the TCP client to stop")
      sysimage.setup(vim.tbl_extend("force", base_opts, { connect = "unix:" .. T.tmp .. "/sysimage.sock" }))
      vim.cmd("bwipeout!")
      c = open_second("a.jl")
      check(type(c.config.cmd) == "function", "the Unix socket client was started over stdio")
      log("  attached over unix:" .. T.tmp .. "/sysimage.sock")
    end
    vim.lsp.stop_client(c.id)
    vim.fn.jobstop(job)
  else
    sysimage.setup(vim.tbl_extend("force", base_opts, { connect = "tcp:127.0.0.1:9" }))
    local c = open_second("a.jl")
    check(#notes_matching("needs Neovim 0%.9") == 1, "no clear error about connect on this Neovim")
    check(type(c.config.cmd) == "table" and c.config.cmd[1] == T.server, "did not fall back to stdio")
    vim.lsp.stop_client(c.id)
  end
  sysimage.setup(vim.tbl_extend("force", base_opts, { suggest_rebuild_after_statements = 100000 }))
  vim.cmd("buffer " .. main_buf)
end)

step(":checkhealth sysimage reports OK without errors", function()
  vim.cmd("buffer " .. main_buf)
  vim.cmd("checkhealth sysimage")
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  log("  | " .. table.concat(lines, "\n  | "))
  local text = table.concat(lines, "\n")
  for _, l in ipairs(lines) do
    check(not l:find("ERROR"), "health error: " .. l)
  end
  check(text:find("OK"), "no OK lines")
  check(text:find("client attached", 1, true), "the client is not reported attached")
  check(text:find("sysimage-server", 1, true), "no server version")
  check(text:find("Julia 1%.%d+%.%d+"), "no Julia version")
  check(text:find(client_mod.normalize(T.project), 1, true), "the project is not reported")
  vim.cmd("tabclose")
  vim.cmd("buffer " .. main_buf)
end)

local function serves(command)
  return client_mod.has_command(main_client, command)
end

step("planned requests say 'not available yet' while the server answers -32601", function()
  if serves("sysimage.measure") then
    log("  (the server serves sysimage.measure: nothing to check here)")
    return
  end
  vim.cmd("SysimageMeasure")
  wait_for(10000, function()
    return #notes_matching("not available yet") > 0
  end, "a 'not available yet' notification")
end)

step("planned build commands say 'not available yet' while the server answers -32601", function()
  if serves("sysimage.build") then
    log("  (the server serves sysimage.build: the guarded step below covers these commands)")
    return
  end
  for _, cmd in ipairs({ "SysimageBuild", "SysimageCancel", "SysimageLog" }) do
    local before = #notes_matching("not available yet")
    vim.cmd(cmd)
    wait_for(10000, function()
      return #notes_matching("not available yet") > before
    end, ":" .. cmd .. " to say 'not available yet'")
  end
end)

-- $/progress (LSP work done progress) as the server sends it for builds. The Status fields are checked on
-- the server's recorded messages by neovim/tests/unit.lua (tests/fixtures/protocol).
step("$/progress renders as notifications", function()
  local progress = require("sysimage.progress")
  progress.history = {}
  local ctx = { client_id = main_client.id, method = "$/progress" }
  local token = "sysimage-progress-test"
  progress.handler(nil, { token = token, value = { kind = "begin", title = "Building sysimage", cancellable = true, percentage = 0 } }, ctx, {})
  progress.handler(nil, { token = token, value = { kind = "report", message = "Replaying statements 412/1020", percentage = 45 } }, ctx, {})
  progress.handler(nil, { token = token, value = { kind = "end", message = "Built" } }, ctx, {})
  local shown = vim.tbl_map(function(h)
    return h.kind .. ": " .. h.text
  end, progress.history)
  check(vim.deep_equal(shown, {
    "begin: [sysimage] Building sysimage 0%",
    "report: [sysimage] Building sysimage 45%: Replaying statements 412/1020",
    "end: [sysimage] Building sysimage: Built",
  }), vim.inspect(shown))
  package.loaded["fidget"] = {}
  progress.history = {}
  progress.handler(nil, { token = token, value = { kind = "begin", title = "Building sysimage" } }, ctx, {})
  progress.handler(nil, { token = token, value = { kind = "end" } }, ctx, {})
  package.loaded["fidget"] = nil
  check(#progress.history == 0, "progress shown although a progress plugin is loaded")
end)

-- Guarded: runs once the server lists sysimage.build in executeCommandProvider.commands.
step("[guarded: sysimage.build] :SysimageBuild reports progress and ends with 'sysimage ✓'; Pkg changes make it outdated", function()
  if not serves("sysimage.build") then
    log("  SKIP (guarded): the server does not list sysimage.build yet; this step runs once it does")
    return
  end
  -- A registered package (offline registry), used by a recorded statement, so the image holds it.
  local code, _, err = run({ "bash", T.repo .. "/neovim/tests/local_registry.sh", vim.env.JULIA_DEPOT_PATH, T.tmp .. "/pkgs" }, 60000)
  check(code == 0, "local_registry.sh: " .. err)
  code, _, err = run({ T.julia, "--project=" .. T.project, "-e", 'using Pkg; Pkg.add(name="Tiny", version="0.1.0")' }, 300000)
  check(code == 0, "Pkg.add Tiny: " .. err)
  code, _, err = run({ T.server, "record", "--project", T.project, "--", T.julia, "--project=" .. T.project, "-e",
    'using Tiny; println(Tiny.greet("nvim"))' }, 300000)
  check(code == 0, "record Tiny: " .. err)

  local progress = require("sysimage.progress")
  progress.history = {}
  progress.counts = {}
  vim.cmd("SysimageBuild")
  wait_for(840000 - 240000, function()
    return sysimage.status() == "sysimage ✓" or #notes_matching("build failed") > 0
  end, "the build to finish (status() = " .. sysimage.status() .. ")")
  check(sysimage.status() == "sysimage ✓", "after the build: " .. sysimage.status())
  wait_for(10000, function()
    return (progress.counts["end"] or 0) > 0
  end, "the end of the build's progress")
  for _, h in ipairs(progress.history) do
    log("  progress " .. h.kind .. ": " .. h.text)
  end
  local kinds = progress.counts
  check(kinds.begin and kinds.report and kinds["end"], "no begin/report/end progress messages: " .. vim.inspect(kinds))
  check(#notes_matching("^sysimage: built ") == 1, "no 'built' notification")
  local lines = table.concat(status_float(), "\n")
  check(lines:find("Image", 1, true) and not lines:find("none yet", 1, true), "the float shows no image")

  vim.cmd("SysimageLog")
  wait_for(15000, function()
    return vim.api.nvim_buf_get_name(0):find("sysimage://build-log/", 1, true) ~= nil
  end, "the build log buffer")
  check(vim.api.nvim_buf_line_count(0) > 1, "the build log is empty")
  vim.cmd("bwipeout")
  vim.cmd("buffer " .. main_buf)

  code, _, err = run({ T.julia, "--project=" .. T.project, "-e", 'using Pkg; Pkg.update("Tiny")' }, 300000)
  check(code == 0, "Pkg.update Tiny: " .. err)
  wait_for(60000, function()
    return sysimage.status() == "sysimage outdated"
  end, "status() 'sysimage outdated' after Pkg.update (is " .. sysimage.status() .. ")")
  lines = table.concat(status_float(), "\n")
  check(lines:find("Tiny", 1, true) and lines:find("0.1.1", 1, true), "the package diff does not show Tiny 0.1.1:\n" .. lines)
end)

step(":SysimageClearStatements! forgets the statements", function()
  vim.cmd("SysimageClearStatements!")
  wait_for(10000, function()
    return current_status().statements.total == 0
  end, "a status with 0 statements")
  check(not sysimage.status():find("recorded", 1, true), "status() = " .. sysimage.status())
end)

-- Run the steps, then stop the clients (their servers exit) and quit with the result.
local failed = false
for _, s in ipairs(steps) do
  log("STEP " .. s.name)
  local ok, err = xpcall(s.fn, debug.traceback)
  if ok then
    log("PASS " .. s.name)
  else
    log("FAIL " .. s.name .. "\n" .. tostring(err))
    failed = true
    break
  end
end
if #prompts > 0 then
  log(("(%d prompt(s) answered by the test)"):format(#prompts))
end
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
vim.lsp.stop_client(get_clients())
vim.wait(5000, function()
  return #get_clients() == 0
end, 50)
log(failed and "FAILED" or "ALL PASSED")
vim.cmd(failed and "cquit 1" or "qall!")
