# probe.jl: describes the Julia installation that runs it, as one line of JSON on stdout.
#
# Supported Julia versions: 1.5 through 1.12 (run for real with Julia 1.5.3; the names used below
# exist unchanged in 1.6-1.12: Sys.BINDIR, Base.LIBDIR, Base.PRIVATE_LIBDIR, Sys.STDLIB,
# Sys.CPU_NAME, Base.JLOptions().image_file, Base.find_package). Only Base is used, no packages, and
# nothing is loaded: run it as `julia --startup-file=no [--project=ENV] probe.jl`.
#
# Output: exactly one line, a JSON object with these keys (strings unless noted):
#   version        string(VERSION), e.g. "1.5.3"
#   bindir         Sys.BINDIR
#   libdir         abspath(joinpath(Sys.BINDIR, Base.LIBDIR)): where libjulia lives (link with -L)
#   privateLibdir  abspath(joinpath(Sys.BINDIR, Base.PRIVATE_LIBDIR)), or joinpath(libdir, "julia")
#                  when Base.PRIVATE_LIBDIR is not defined; holds the default sys.so
#   imageFile      the sysimage this process runs with (unsafe_string(Base.JLOptions().image_file))
#   stdlib         Sys.STDLIB (a sysimage build script must set Sys.STDLIB to this value)
#   depotPath      array of strings: DEPOT_PATH
#   cpuName        Sys.CPU_NAME, e.g. "skylake" or "generic"
#   wordSize       number: Sys.WORD_SIZE
#   arch           string(Sys.ARCH), e.g. "x86_64"
#   os             string(Sys.KERNEL), e.g. "Linux"
#   packageCompiler  boolean: Base.find_package("PackageCompiler") !== nothing for the active
#                  project / LOAD_PATH (found, not loaded)
#   libjuliaFiles  array of strings: sorted unique names of files in libdir and privateLibdir whose
#                  name starts with "libjulia" (e.g. "libjulia.so.1"; 1.6+ adds libjulia-internal)
#   libjuliaLoaded array of strings: sorted paths of the loaded libraries whose file name starts with
#                  "libjulia", as the dynamic loader opened them (Libdl.dllist(); Libdl is part of
#                  every default sysimage, so it is taken from Base.loaded_modules, not loaded);
#                  empty when Libdl is not in the image
# Example (Debian Julia 1.5.3):
# {"version":"1.5.3","bindir":"/p/usr/bin","libdir":"/p/usr/lib/x86_64-linux-gnu",...,"wordSize":64,...}

include(joinpath(@__DIR__, "json_writer.jl"))

function libjulia_files(dirs)
    names = String[]
    for d in dirs
        isdir(d) || continue
        for f in readdir(d)
            startswith(f, "libjulia") && push!(names, f)
        end
    end
    sort!(unique!(names))
end

const LIBDL = Base.PkgId(Base.UUID("8f399da3-3557-5675-b5ff-fb832c97cbdb"), "Libdl")

function libjulia_loaded()
    libdl = get(Base.loaded_modules, LIBDL, nothing)
    libdl === nothing && return String[]
    sort!(unique!(filter(p -> startswith(basename(p), "libjulia"), libdl.dllist())))
end

function probe()
    libdir = abspath(joinpath(Sys.BINDIR, Base.LIBDIR))
    private_libdir = isdefined(Base, :PRIVATE_LIBDIR) ?
        abspath(joinpath(Sys.BINDIR, Base.PRIVATE_LIBDIR)) : joinpath(libdir, "julia")
    image_ptr = Base.JLOptions().image_file
    image_file = image_ptr == C_NULL ? "" : unsafe_string(image_ptr)
    has_pc = try
        Base.find_package("PackageCompiler") !== nothing
    catch
        false
    end
    return [
        "version" => string(VERSION),
        "bindir" => Sys.BINDIR,
        "libdir" => libdir,
        "privateLibdir" => private_libdir,
        "imageFile" => image_file,
        "stdlib" => Sys.STDLIB,
        "depotPath" => String[p for p in DEPOT_PATH],
        "cpuName" => Sys.CPU_NAME,
        "wordSize" => Sys.WORD_SIZE,
        "arch" => string(Sys.ARCH),
        "os" => string(Sys.KERNEL),
        "packageCompiler" => has_pc,
        "libjuliaFiles" => libjulia_files(unique([libdir, private_libdir])),
        "libjuliaLoaded" => libjulia_loaded(),
    ]
end

let io = IOBuffer()
    json_object(io, probe())
    println(stdout, String(take!(io)))
    flush(stdout)
end
