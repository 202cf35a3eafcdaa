# check_compile.cmake — CTest check of `clinfer compile`: with an empty
# program cache it compiles, says so on stderr (progress lines with n/N and
# the elapsed time) and reports
# the programs on stdout; a second process finds nothing to compile; and
# `clinfer bench` then reports a warm cache.
#
#   cmake -DCLINFER=path/to/clinfer -DMODEL=model.onnx -DCACHE=empty/dir
#         -P check_compile.cmake
foreach(v CLINFER MODEL CACHE)
    if(NOT DEFINED ${v})
        message(FATAL_ERROR "check_compile: -D${v}=... is required")
    endif()
endforeach()
file(REMOVE_RECURSE "${CACHE}")

function(run_clinfer)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env CLINFER_CACHE_DIR=${CACHE} ${CLINFER} ${ARGN}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "clinfer ${ARGN}: exit status ${rc}\n${out}\n${err}")
    endif()
    set(out "${out}" PARENT_SCOPE)
    set(err "${err}" PARENT_SCOPE)
endfunction()

run_clinfer(compile ${MODEL})
# The order of programs depends on the device (GEMM tuning may come first).
if(NOT out MATCHES "compiled [0-9]+ OpenCL programs? from source: [^\n]*conv2d")
    message(FATAL_ERROR "cold cache: no list of compiled programs:\n${out}")
endif()
# Every progress line names the node n of N it compiles for and the time
# since the first compile.
if(NOT err MATCHES "compiling OpenCL kernels, this happens once" OR
   NOT err MATCHES "compiling kernels: node 1/[0-9]+ [a-z0-9_]+ +\\(program 1\\) +[0-9.]+ s elapsed")
    message(FATAL_ERROR "cold cache: no progress on stderr:\n${err}")
endif()
if(err MATCHES "compiling kernels: [^n]")
    message(FATAL_ERROR "cold cache: a progress line without n/N:\n${err}")
endif()

# The same batch again: everything comes from the cache. (Another batch may
# compile GEMM programs with smaller row tiles for its row count.)
run_clinfer(compile ${MODEL} --batch 1)
if(NOT out MATCHES "nothing to compile" OR NOT out MATCHES "batch 1")
    message(FATAL_ERROR "warm cache: expected nothing to compile at batch 1:\n${out}")
endif()
if(err MATCHES "compiling kernels")
    message(FATAL_ERROR "warm cache: progress lines although nothing compiled:\n${err}")
endif()

run_clinfer(bench ${MODEL} --iters 1 --warmup 0 --json)
if(NOT out MATCHES "\"cache\": \"warm\"" OR NOT out MATCHES "\"programs_compiled\": 0")
    message(FATAL_ERROR "bench after compile: expected a warm cache:\n${out}")
endif()

execute_process(COMMAND ${CLINFER} compile ${MODEL} --batch 0
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--batch needs a positive integer")
    message(FATAL_ERROR "--batch 0: expected exit status 2 and a message, got ${rc}:\n${err}")
endif()
message(STATUS "clinfer compile: cold, warm and bench after it behave")
