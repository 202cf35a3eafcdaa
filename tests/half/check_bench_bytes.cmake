# check_bench_bytes.cmake — CTest check that half storage halves memory:
# `clinfer bench MODEL --json` in fp32 and in fp16 report their precision,
# the fp16 weights and the activations without reuse take exactly half the
# fp32 bytes, and the planned arena (tensors start at 64-byte boundaries)
# at most 55% of fp32's.
#
#   cmake -DCLINFER=path/to/clinfer -DMODEL=model.onnx -P check_bench_bytes.cmake
foreach(v CLINFER MODEL)
    if(NOT DEFINED ${v})
        message(FATAL_ERROR "check_bench_bytes: -D${v}=... is required")
    endif()
endforeach()
foreach(p fp32 fp16)
    execute_process(COMMAND ${CLINFER} bench ${MODEL} --iters 1 --batch 2 --json --precision ${p}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "clinfer bench --precision ${p}: exit status ${rc}\n${out}\n${err}")
    endif()
    string(JSON got GET "${out}" precision)
    if(NOT got STREQUAL p)
        message(FATAL_ERROR "--precision ${p}: the JSON says precision \"${got}\"\n${out}")
    endif()
    foreach(key weight_bytes activation_bytes activation_bytes_unshared)
        string(JSON ${p}_${key} GET "${out}" ${key})
        if(NOT ${p}_${key} GREATER 0)
            message(FATAL_ERROR "${p}: ${key} is ${${p}_${key}}\n${out}")
        endif()
    endforeach()
endforeach()
foreach(key weight_bytes activation_bytes_unshared)
    math(EXPR twice "2 * ${fp16_${key}}")
    if(NOT twice EQUAL fp32_${key})
        message(FATAL_ERROR "${key}: fp16 ${fp16_${key}}, fp32 ${fp32_${key}}: not half")
    endif()
endforeach()
math(EXPR limit "${fp32_activation_bytes} * 55 / 100")
if(fp16_activation_bytes GREATER limit)
    message(FATAL_ERROR "activation_bytes: fp16 ${fp16_activation_bytes} is more than 55% of "
                        "fp32's ${fp32_activation_bytes}")
endif()
message(STATUS "weights ${fp32_weight_bytes} -> ${fp16_weight_bytes} bytes, activations "
               "${fp32_activation_bytes} -> ${fp16_activation_bytes} bytes")
