# FLInsurance: placeholder module of the demo project. The demo itself is ../workload.jl; this file
# exists because Pkg (1.5 and later) refuses to resolve a project that has a `name` and `uuid` but
# no `src/<name>.jl` ("expected the file `src/FLInsurance.jl` to exist").
module FLInsurance
end
