# STAND-IN for julia-vscode's scripts/terminalserver/terminalserver.jl, used only by the
# julia-sysimage e2e test. Like the real one it loads VSCodeServer from the extension's own
# environment (scripts/packages, on LOAD_PATH only while loading it; here the test's stand-in
# module from tests/fixtures/vscodeserver-standin) and connects it to the editor. Unlike it, it then
# runs the project's workload.jl through VSCodeServer.evalrepl, as a user would with Shift+Enter,
# and leaves the REPL to the user.
pushfirst!(LOAD_PATH, joinpath(@__DIR__, "packages"))
try
    using VSCodeServer
finally
    popfirst!(LOAD_PATH)
end
VSCodeServer.serve()
println("stand-in REPL: sysimage ", unsafe_string(Base.JLOptions().image_file))
# An absolute path: `include` inside this script resolves relative paths against the script's directory.
if isfile("workload.jl")
    VSCodeServer.evalrepl(Main, "include($(repr(abspath("workload.jl"))))")
end
println("stand-in REPL: ready")
