# workload.jl: the "first thing a user runs" in the FLInsurance demo project: load the project's
# package and run its report on the Florida insurance sample.
#
#   julia --project=examples/fl-insurance examples/fl-insurance/workload.jl
using FLInsurance
FLInsurance.main()
