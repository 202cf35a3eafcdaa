#!/usr/bin/env bash
# check_kernels.sh CLANG KERNEL_DIR — every kernels/*.cl, after prelude.cl (and
# after the files it is built after, program_cache.c's program_after_files),
# passes clang's OpenCL C 1.2 front end in fp32 and in half storage
# (-DCLINFER_HALF, and with -DHALF_VLOAD_DIRECT, the half vector I/O of
# drivers other than PoCL) with cl_khr_fp16 switched off, and in fp16-math
# (-DHALF_MATH, with the extension on): a kernel that reads or
# writes a half pointer directly (p[i] instead of LD/ST, prelude.cl) fails
# here as it would on a device without cl_khr_fp16 (NVIDIA, this PoCL); a
# __global float buffer left in a kernel (read as float from half data) is
# named too. Needs clang 15 or later (14 declares vload_half only with
# cl_khr_fp16).
set -uo pipefail
clang=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "$dir"/*.cl; do
    name=$(basename "$f" .cl)
    [[ $name == prelude ]] && continue
    # a file that host/program_cache.c builds after another one into that
    # one's program (program_after_files) is checked after it, as built
    first=()
    [[ $name == gemm_local ]] && first=(gemm)
    [[ $name == conv_implicit ]] && first=(gemm gemm_local)
    {
        cat "$dir/prelude.cl"
        for f1 in "${first[@]}"; do echo "#line 1 \"$f1.cl\""; cat "$dir/$f1.cl"; done
        echo "#line 1 \"$name.cl\""
        cat "$f"
    } >"$tmp/$name.cl"
    # the defaults, the epilogue switched on, and each file's sections that
    # only a build option compiles
    sets=("" "-DHAS_BIAS=1 -DHAS_RESIDUAL=1")
    case $name in
    eltwise) sets+=("-DUNARY=1" "-DUNARY=1 -DACT=1" "-DUNARY=11" "-DUNARY=12" "-DUNARY=14" "-DUNARY=22"
             "-DUNARY=23" "-DUNARY=24" "-DUNARY=25")
             for b in 1 2 3 4 5 6; do sets+=("-DBINOP=1 -DBCAST=$b -DACT=1"); done ;;
    conv_transpose) sets+=("-DCONVT_DIRECT=1" "-DCONVT_DIRECT=1 -DHAS_BIAS=1") ;;
    conv_winograd) sets+=("-DWM=2" "-DWM=2 -DHAS_BIAS=1 -DHAS_RESIDUAL=1") ;;
    norm) sets+=("-DHAS_SCALE=1 -DPER_ELEMENT=1" "-DHAS_SCALE=1 -DEPS_ON_STD=1") ;;
    rnn) sets+=("-DRNN_CELL=0 -DRNN_HAS_H0 -DRNN_EXTRA=1" "-DRNN_CELL=1 -DRNN_CLIP"
                "-DRNN_CELL=1 -DRNN_LBR -DRNN_EXTRA=1"
                "-DRNN_CELL=2 -DRNN_HAS_H0 -DRNN_HAS_C0 -DRNN_HAS_P -DRNN_INPUT_FORGET -DRNN_EXTRA=2") ;;
    grid_sample) sets+=("-DGS_MODE=1 -DGS_PADDING=1" "-DGS_MODE=2 -DGS_PADDING=2 -DGS_ALIGN=1") ;;
    reduce) sets+=("-DREDUCE_OP=1" "-DREDUCE_OP=2" "-DREDUCE_OP=4" "-DREDUCE_OP=7" "-DREDUCE_OP=9") ;;
    resize) sets+=("-DTAPS=1" "-DTAPS=2" "-DTAPS=4") ;;
    softmax) sets+=("-DLOG_SOFTMAX=1") ;;
    # the tile heights of the cpu candidates and of the transposed 1x1
    # layers (host/ops/gemm_config.c, conv2d.c): TM 8 builds
    # gemm_tile_transposed8, the others do not
    gemm) sets+=("-DTM=7" "-DTM=6 -DNV=4" "-DTM=5 -DNV=1" "-DTM=4 -DNV=1" "-DTM=12") ;;
    gemm_local) sets+=("-DGEMM_PREFETCH=1" "-DGEMM_PREFETCH=1 -DHAS_BIAS=1 -DHAS_RESIDUAL=1"
                       "-DGEMM_KERNELS=GEMM_LOCAL" "-DGEMM_KERNELS=GEMM_SPLIT") ;;
    # only its own kernel set builds it (gemm.cl's GEMM_CONV_GATHER)
    conv_implicit) sets+=("-DGEMM_KERNELS=GEMM_IMPLICIT" "-DGEMM_KERNELS=GEMM_IMPLICIT -DGEMM_PREFETCH=1"
                          "-DGEMM_KERNELS=GEMM_IMPLICIT -DGEMM_PREFETCH=1 -DTSM=32 -DWPTM=4 -DTSN=64 -DWPTN=8"
                          "-DGEMM_KERNELS=GEMM_IMPLICIT_SPLIT" "-DGEMM_KERNELS=GEMM_IMPLICIT_SPLIT -DGEMM_PREFETCH=1") ;;
    pad) sets+=("-DPAD_MODE=1" "-DPAD_MODE=2" "-DPAD_MODE=3") ;;
    # the stem built for a layer, and with a fused max pool of each stride
    # across it takes (host/ops/conv_stem.c; an odd left padding splits
    # the row's floats the other way round)
    conv_stem) stem="-DSTEM_C=3 -DSTEM_KH=3 -DSTEM_KW=3 -DSTEM_SH=2 -DSTEM_SW=2 -DSTEM_DH=1 -DSTEM_DW=1"
               sets+=("$stem" "$stem -DACT=1 -DSP_KH=3 -DSP_KW=3 -DSP_SH=2 -DSP_SW=2 -DSP_PT=0 -DSP_PL=0 -DSP_OW=55 -DSP_ROW=131"
                      "$stem -DSP_KH=2 -DSP_KW=3 -DSP_SH=1 -DSP_SW=2 -DSP_PT=1 -DSP_PL=1 -DSP_OW=9 -DSP_ROW=40"
                      "$stem -DSP_KH=3 -DSP_KW=2 -DSP_SH=3 -DSP_SW=1 -DSP_PT=0 -DSP_PL=0 -DSP_OW=16 -DSP_ROW=34") ;;
    # one layer of each kind, as host/chain.c writes them
    chain) sets+=("-DCHAIN_LAYERS=3 -DCHAIN_TASKS=6 -DE0=4 -DE1=5 -DE2=6
-DL0=CHAIN_CONV(0,100,0,160,1,7,6,16,3,3,1,1,1,1,3,3,2,3,3,1,2,0x1.99999ap-4f,0x0p+0f)
-DL1=CHAIN_DENSE(100,300,176,1776,3,144,10,3,4,0x0p+0f,0x0p+0f)
-DL2=CHAIN_SOFTMAX(300,310,10,1)") ;;
    esac
    for defs in "${sets[@]}"; do
        for mode in "" "-DCLINFER_HALF" "-DCLINFER_HALF -DHALF_VLOAD_DIRECT" \
            "-DCLINFER_HALF -DHALF_MATH"; do
            # fp16-math (HALF_MATH) is built only where the device reports
            # cl_khr_fp16, so that mode has the extension on
            fp16=-cl_khr_fp16
            [[ $mode == *HALF_MATH* ]] && fp16=+cl_khr_fp16
            # shellcheck disable=SC2086 # the options are words
            if ! "$clang" -x cl -cl-std=CL1.2 -Xclang -finclude-default-header -fsyntax-only \
                -Werror -ferror-limit=0 -target spir64 -Xclang -cl-ext=$fp16 \
                $mode $defs "$tmp/$name.cl" 2>"$tmp/log"; then
                echo "check_kernels: $name.cl ${mode:-(fp32)} $defs:" >&2
                head -40 "$tmp/log" >&2
                fail=1
            fi
        done
    done
done
# and no kernel keeps a float buffer, which half storage would misread
if grep -nE '__global[[:space:]]+(const[[:space:]]+)?float[0-9]*[[:space:]]*\*' \
    "$dir"/*.cl >"$tmp/float"; then
    echo "check_kernels: __global float buffers (use store_t, prelude.cl):" >&2
    cat "$tmp/float" >&2
    fail=1
fi
[[ $fail == 0 ]] && echo "check_kernels: every kernel file builds in fp32, half storage and fp16-math"
exit $fail
