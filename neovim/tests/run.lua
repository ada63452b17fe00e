-- Headless end-to-end tests of the sysimage plugin: the real sysimage-server and the real Julia on a copy
-- of examples/fl-insurance. Started by run.sh (which sets the SYSIMAGE_TEST_* variables) as
--   nvim --headless -u NONE -c "set rtp^=<repo>/neovim" -c "luafile run.lua"
-- Runs the steps in order, stops at the first failure, and quits with 0 (pass) or 1 (fail).
-- A step also fails when Neovim reported an error while it ran (a line of :messages such as "Error
-- detected while processing", "Error executing …", "E5108: …", "LSP[sysimage]: Error …"), printed a
-- Lua traceback, or warned about a deprecated call, or when an ERROR notification came. run.sh
-- checks Neovim's stderr for the same after the run.
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
    fail(("timed out after %d ms waiting for %s (status() = %q)"):format(ms, what,
      require("sysimage").configured and require("sysimage").status() or ""))
  end
end

-- Every vim.notify is kept (and printed); prompts never block the headless run. vim.deprecate
-- reports through vim.notify (0.10), so deprecation warnings land here too.
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = tostring(msg), level = level })
  log("  notify[" .. tostring(level) .. "]: " .. tostring(msg))
end

-- What counts as Neovim reporting a problem: lines of :messages (and of its stderr, see run.sh).
local problem_patterns = { "Error detected while processing", "Error executing", "^E%d+: ", "stack traceback",
  "LSP%[.-%]: Error", "[Dd]eprecated", "^Error" }

local function messages()
  if vim.api.nvim_exec2 then
    return vim.api.nvim_exec2("messages", { output = true }).output
  end
  return vim.api.nvim_exec("messages", true)
end

--- Forgets earlier messages: the start of a step.
local function reset_reports()
  vim.cmd("messages clear")
  vim.v.errmsg = ""
end

--- What Neovim reported since reset_reports() and notifications from index `first_note` on:
--- a list of problem lines (empty when clean).
local function reported_problems(first_note)
  local problems = {}
  for _, line in ipairs(vim.split(messages(), "\n", { plain = true })) do
    for _, pat in ipairs(problem_patterns) do
      if line:find(pat) then
        table.insert(problems, "message: " .. line)
        break
      end
    end
  end
  if vim.v.errmsg ~= "" then
    table.insert(problems, "v:errmsg: " .. vim.v.errmsg)
  end
  for i = first_note, #notes do
    local n = notes[i]
    if n.msg:find("[Dd]eprecated") then
      table.insert(problems, "deprecation: " .. n.msg)
    elseif n.level == vim.log.levels.ERROR then
      table.insert(problems, "error notification: " .. n.msg)
    end
  end
  return problems
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

step("connect = tcp/unix: sessions end without errors (client stops, server stops or dies); stdio fallback on 0.7/0.8", function()
  local second = T.tmp .. "/second"
  vim.fn.mkdir(second, "p")
  vim.fn.writefile({ 'name = "Second"', 'uuid = "0b5b4a3c-1d1e-4f43-9d54-5f1e8d3c2a10"' }, second .. "/Project.toml")
  vim.fn.writefile({ "println(1 + 1)" }, second .. "/a.jl")
  local file = second .. "/a.jl"
  -- Wipe a.jl before setup() changes `connect`: setup() attaches loaded Julia buffers, and wiping a
  -- buffer while its new client initializes makes Neovim 0.10 itself fail ("Invalid buffer id").
  local function wipe_second()
    local buf = vim.fn.bufnr(file)
    if buf > 0 then
      vim.api.nvim_buf_delete(buf, { force = true })
    end
  end
  local function open_second()
    vim.cmd("edit " .. vim.fn.fnameescape(file))
    local buf = vim.api.nvim_get_current_buf()
    wait_for(15000, function()
      return #client_mod.buf_clients(buf) > 0
    end, "a client for a.jl")
    return client_mod.buf_clients(buf)[1]
  end
  local function wait_gone(c, what)
    wait_for(15000, function()
      return vim.lsp.get_client_by_id(c.id) == nil
    end, what)
  end
  local function disconnected_notes()
    return #notes_matching("^sysimage server disconnected")
  end

  if not (vim.lsp.rpc and vim.lsp.rpc.connect) then
    -- 0.7/0.8: no vim.lsp.rpc.connect. The plugin says so (a warning, not an error) and uses stdio.
    sysimage.setup(vim.tbl_extend("force", base_opts, { connect = "tcp:127.0.0.1:9" }))
    local c = open_second()
    check(#notes_matching("needs Neovim 0%.9") == 1, "no clear warning about connect on this Neovim")
    check(type(c.config.cmd) == "table" and c.config.cmd[1] == T.server, "did not fall back to stdio")
    wait_for(15000, function()
      return statusline.get(second) ~= nil
    end, "the status of the second project")
    vim.lsp.stop_client(c.id)
    wait_gone(c, "the stdio client to stop")
    check(disconnected_notes() == 0, "a stopped stdio client was announced as disconnected")
    wipe_second()
    sysimage.setup(vim.tbl_extend("force", base_opts, { suggest_rebuild_after_statements = 100000 }))
    vim.cmd("buffer " .. main_buf)
    return
  end

  local connect = require("sysimage.connect")
  local unix = vim.fn.has("nvim-0.10") == 1
  local servers = 0
  --- A `serve --listen` server: {job, pid, port, token, token_file, sock, exit_code once it exited}.
  local function start_server()
    servers = servers + 1
    local srv = { sock = ("%s/s%d.sock"):format(T.tmp, servers) }
    local cmd = { T.server, "--log-file", ("%s/listen-%d.log"):format(T.tmp, servers), "serve", "--listen", "tcp:127.0.0.1:0" }
    if unix then
      vim.list_extend(cmd, { "--listen", "unix:" .. srv.sock })
    end
    srv.job = vim.fn.jobstart(cmd, {
      on_stdout = function(_, data)
        for _, line in ipairs(data) do
          srv.token_file = srv.token_file or line:match("^token file (.+)$")
          local port, token = line:match("^listening on tcp:127%.0%.0%.1:(%d+)%?token=(%x+)$")
          if port then
            srv.port, srv.token = tonumber(port), token
          end
          srv.unix_ready = srv.unix_ready or line == "listening on unix:" .. srv.sock
        end
      end,
      on_exit = function(_, code)
        srv.exit_code = code
      end,
    })
    check(srv.job > 0, "could not start the server")
    wait_for(10000, function()
      return srv.port ~= nil and (not unix or srv.unix_ready)
    end, "the listening server's addresses")
    srv.pid = vim.fn.jobpid(srv.job)
    return srv
  end
  local function use(connect_string)
    wipe_second()
    sysimage.setup(vim.tbl_extend("force", base_opts, { connect = connect_string, connect_timeout_ms = 3000 }))
  end
  --- Attaches a.jl over TCP to `srv` (token from its token file) and waits for initialize.
  local function attach_tcp(srv)
    use("tcp:127.0.0.1:" .. srv.port)
    local c = open_second()
    wait_for(15000, function()
      return c.initialized
    end, "the TCP client's initialize answer")
    return c
  end
  local function wait_exit(srv)
    wait_for(10000, function()
      return srv.exit_code ~= nil
    end, "the server to exit")
  end

  -- 1. TCP with the token from the server's token file; the client stops.
  local srv = start_server()
  check(srv.token_file == connect.default_token_file("127.0.0.1", srv.port),
    ("the server wrote its token to %s, the plugin looks in %s"):format(srv.token_file,
      connect.default_token_file("127.0.0.1", srv.port)))
  use("tcp:127.0.0.1:" .. srv.port)
  local c = open_second()
  check(type(c.config.cmd) == "function", "the TCP client was started over stdio")
  check(c.config.init_options.token == srv.token, "initialize does not carry the token of the token file")
  check(c.config.settings[require("sysimage.protocol").settings_section].token == nil, "the token is in the settings")
  wait_for(15000, function()
    return statusline.get(second) ~= nil
  end, "the status of the second project over TCP")
  log("  attached over tcp:127.0.0.1:" .. srv.port .. " (token from " .. srv.token_file .. ")")
  vim.lsp.stop_client(c.id)
  wait_gone(c, "the TCP client to stop")
  check(disconnected_notes() == 0, "a client that stopped itself was announced as disconnected")
  log("  client stopped: no error, no 'disconnected'")

  -- 2. The server stops (SIGTERM) under a connected client: said once, no error.
  if unix then
    use("unix:" .. srv.sock)
    c = open_second()
    log("  attached over unix:" .. srv.sock)
  else
    use("tcp:127.0.0.1:" .. srv.port .. "?token=" .. srv.token)
    c = open_second()
    log("  attached over the printed connection string")
  end
  check(type(c.config.cmd) == "function", "the socket client was started over stdio")
  wait_for(15000, function()
    return c.initialized
  end, "the socket client's initialize answer")
  vim.fn.jobstop(srv.job)
  wait_gone(c, "the client to end with its server")
  wait_exit(srv)
  wait_for(2000, function()
    return disconnected_notes() == 1
  end, "one 'sysimage server disconnected'")
  check(vim.fn.filereadable(srv.token_file) == 0, "the token file outlived its server")
  log("  server stopped: 'sysimage server disconnected' once, no error")

  -- 3. The client stops while its server stops (the race that gave READ_ERROR "ECONNRESET").
  srv = start_server()
  c = attach_tcp(srv)
  vim.lsp.stop_client(c.id)
  vim.fn.jobstop(srv.job)
  wait_gone(c, "the TCP client to stop")
  wait_exit(srv)
  check(disconnected_notes() == 1, "a client that stopped itself was announced as disconnected")
  log("  client and server stopped together: no error")

  -- 4. The server dies (SIGKILL): its listener is gone, its token file stays behind.
  srv = start_server()
  c = attach_tcp(srv)
  check((vim.uv or vim.loop).kill(srv.pid, "sigkill") == 0, "could not kill the server")
  wait_gone(c, "the client to end with its killed server")
  wait_for(2000, function()
    return disconnected_notes() == 2
  end, "'sysimage server disconnected' for the killed server")
  -- Reopening finds the stale token file but nothing listens: Neovim warns, the plugin gives up.
  wipe_second()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  wait_for(15000, function()
    return #notes_matching("^sysimage: no answer from tcp:127%.0%.0%.1:" .. srv.port) == 1
  end, "the plugin to give up the dead address")
  wait_for(5000, function()
    return #client_mod.buf_clients(vim.api.nvim_get_current_buf()) == 0
  end, "the client of the dead address to end")
  check(disconnected_notes() == 2, "a session that never started was announced as disconnected")
  log("  server killed: 'disconnected' once; reconnecting to the dead address gives up without an error")
  -- A connection reset before initialize was answered (the race behind part 4) is neovim/tests/unit.lua's,
  -- on a fake transport.

  wipe_second()
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

-- What a status line or progress plugin sees from Neovim itself (0.10+): LspProgress events by kind,
-- and vim.lsp.status() at each of them. Returns the two tables and a function that stops watching.
local function watch_lsp_progress()
  local kinds, texts = {}, {}
  local group = vim.api.nvim_create_augroup("sysimage_test_progress", { clear = true })
  if vim.fn.exists("##LspProgress") == 1 then
    vim.api.nvim_create_autocmd("LspProgress", {
      group = group,
      callback = function(a)
        local kind = a.data and a.data.params and a.data.params.value and a.data.params.value.kind or "?"
        kinds[kind] = (kinds[kind] or 0) + 1
        local text = vim.lsp.status()
        if text ~= "" then
          table.insert(texts, text)
        end
      end,
    })
  end
  return kinds, texts, function()
    vim.api.nvim_del_augroup_by_id(group)
  end
end

--- On 0.10+: LspProgress came for begin and end (and `want_report` reports), and vim.lsp.status()
--- showed "Building sysimage".
local function check_lsp_progress(kinds, texts, want_report)
  if vim.fn.exists("##LspProgress") == 0 then
    log("  (no LspProgress autocommand on this Neovim: progress plugins read $/progress themselves)")
    return
  end
  log(("  LspProgress: %s; vim.lsp.status() e.g. %q"):format(vim.inspect(kinds, { newline = " ", indent = "" }),
    texts[1] or ""))
  check(kinds.begin == 1 and kinds["end"] == 1, "LspProgress begin/end: " .. vim.inspect(kinds))
  check(not want_report or (kinds.report or 0) > 0, "no LspProgress report: " .. vim.inspect(kinds))
  local seen = false
  for _, text in ipairs(texts) do
    seen = seen or text:find("Building sysimage", 1, true) ~= nil
  end
  check(seen, "vim.lsp.status() never showed 'Building sysimage': " .. vim.inspect(texts))
end

local function show_build_log()
  vim.cmd("SysimageLog")
  wait_for(15000, function()
    return vim.api.nvim_buf_get_name(0):find("sysimage://build-log/", 1, true) ~= nil
  end, "the build log buffer")
  check(vim.api.nvim_buf_line_count(0) > 1, "the build log is empty")
  vim.cmd("bwipeout")
  vim.cmd("buffer " .. main_buf)
end

step(":SysimageBuild then :SysimageCancel: progress begins and ends, nothing is published, :SysimageLog shows the log", function()
  check(serves("sysimage.build"), "the server does not list sysimage.build in executeCommandProvider.commands")
  local before = current_status().image
  local progress = require("sysimage.progress")
  progress.history, progress.counts = {}, {}
  local kinds, texts, unwatch = watch_lsp_progress()
  vim.cmd("SysimageBuild")
  wait_for(120000, function()
    return sysimage.status():find("^building") ~= nil
  end, "status() 'building…'")
  vim.cmd("SysimageCancel")
  wait_for(15000, function()
    return #notes_matching("^sysimage: cancelling the build") == 1
  end, "'cancelling the build'")
  -- Neovim swallows the -32800 answer of the build request (vim.lsp.rpc mutes RequestCancelled), so
  -- the user learns it from the end of the progress.
  wait_for(30000, function()
    return #notes_matching("^%[sysimage%] Building sysimage: Build cancelled$") == 1
  end, "the progress to end with 'Build cancelled'")
  wait_for(15000, function()
    return sysimage.status():find("^sysimage: %d+ recorded$") ~= nil or sysimage.status() == "sysimage ✓"
  end, "status() back from 'building'")
  unwatch()
  for _, h in ipairs(progress.history) do
    log("  progress " .. h.kind .. ": " .. h.text)
  end
  check(progress.counts.begin == 1, "no progress begin shown: " .. vim.inspect(progress.counts))
  check(vim.deep_equal(current_status().image, before), "a cancelled build changed the image")
  check_lsp_progress(kinds, texts, false)
  show_build_log()
end)

-- A whole build takes minutes of CPU: CTest runs it in one of the Neovim versions' suites
-- (SYSIMAGE_TEST_FULL_BUILD=1, neovim.headless-0.10); the cancelled build above runs in both.
local full_build = vim.env.SYSIMAGE_TEST_FULL_BUILD == "1"
log("full build steps: " .. (full_build and "on" or "off (SYSIMAGE_TEST_FULL_BUILD=1 turns them on)"))
if full_build then
  step(":SysimageBuild reports progress (also as LspProgress / vim.lsp.status() on 0.10) and ends with 'sysimage ✓'", function()
    -- A registered package (offline registry), used by a recorded statement, so the image holds it.
    local code, _, err = run({ "bash", T.repo .. "/neovim/tests/local_registry.sh", vim.env.JULIA_DEPOT_PATH, T.tmp .. "/pkgs" }, 60000)
    check(code == 0, "local_registry.sh: " .. err)
    code, _, err = run({ T.julia, "--project=" .. T.project, "-e", 'using Pkg; Pkg.add(name="Tiny", version="0.1.0")' }, 300000)
    check(code == 0, "Pkg.add Tiny: " .. err)
    code, _, err = run({ T.server, "record", "--project", T.project, "--", T.julia, "--project=" .. T.project, "-e",
      'using Tiny; println(Tiny.greet("nvim"))' }, 300000)
    check(code == 0, "record Tiny: " .. err)

    local progress = require("sysimage.progress")
    progress.history, progress.counts = {}, {}
    local kinds, texts, unwatch = watch_lsp_progress()
    vim.cmd("SysimageBuild")
    wait_for(1200000, function()
      return sysimage.status() == "sysimage ✓" or #notes_matching("build failed") > 0
    end, "the build to finish")
    check(sysimage.status() == "sysimage ✓", "after the build: " .. sysimage.status())
    wait_for(10000, function()
      return (progress.counts["end"] or 0) > 0
    end, "the end of the build's progress")
    unwatch()
    local shown = progress.history
    for i = math.max(1, #shown - 4), #shown do
      log("  progress " .. shown[i].kind .. ": " .. shown[i].text)
    end
    local counts = progress.counts
    check(counts.begin and counts.report and counts["end"], "no begin/report/end progress messages: " .. vim.inspect(counts))
    check(#notes_matching("^sysimage: built ") == 1, "no 'built' notification")
    check_lsp_progress(kinds, texts, true)
    local lines = table.concat(status_float(), "\n")
    check(lines:find("Image", 1, true) and not lines:find("none yet", 1, true), "the float shows no image")
    show_build_log()
  end)

  step("Pkg.update of a package in the image makes it 'sysimage outdated'", function()
    local code, _, err = run({ T.julia, "--project=" .. T.project, "-e", 'using Pkg; Pkg.update("Tiny")' }, 300000)
    check(code == 0, "Pkg.update Tiny: " .. err)
    wait_for(60000, function()
      return sysimage.status() == "sysimage outdated"
    end, "status() 'sysimage outdated' after Pkg.update")
    local lines = table.concat(status_float(), "\n")
    check(lines:find("Tiny", 1, true) and lines:find("0.1.1", 1, true), "the package diff does not show Tiny 0.1.1:\n" .. lines)
  end)
end

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
  reset_reports()
  local first_note = #notes + 1
  local ok, err = xpcall(s.fn, debug.traceback)
  if ok then
    -- Errors of callbacks scheduled by the step show up a moment later.
    vim.wait(200, function()
      return false
    end)
    local problems = reported_problems(first_note)
    if #problems > 0 then
      ok, err = false, "Neovim reported problems during the step:\n  " .. table.concat(problems, "\n  ")
    end
  end
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
-- Stopping the clients (their servers exit) must not report anything either.
reset_reports()
local first_note = #notes + 1
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
vim.lsp.stop_client(get_clients())
vim.wait(5000, function()
  return #get_clients() == 0
end, 50)
vim.wait(300, function()
  return false
end)
local problems = reported_problems(first_note)
if #problems > 0 then
  log("FAIL stopping the clients\nNeovim reported problems:\n  " .. table.concat(problems, "\n  "))
  failed = true
end
log(failed and "FAILED" or "ALL PASSED")
vim.cmd(failed and "cquit 1" or "qall!")
