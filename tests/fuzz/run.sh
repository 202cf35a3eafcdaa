#!/usr/bin/env bash
# run.sh — builds the ONNX loader's libFuzzer target with clang and
# -fsanitize=fuzzer,address,undefined (build-fuzz/), seeds it with the loader
# tests' models and some of ONNX's node-test models and tensors, and runs it
# for a bounded time. Any crash, leak or sanitizer report fails the script;
# the input that caused it is left in build-fuzz/ (crash-*, leak-*, ...).
#   bash tests/fuzz/run.sh [SECONDS]    default 60 (or $FUZZ_SECONDS)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-${FUZZ_SECONDS:-60}}
build=build-fuzz

command -v clang >/dev/null || { echo "fuzz: clang is missing (bash cmake/install-deps.sh)" >&2; exit 1; }
echo "=== fuzzing the ONNX loader for ${seconds}s"
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCLINFER_FUZZ=ON -DCLINFER_SANITIZE=address,undefined -DCLINFER_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_onnx_load make_onnx_seeds

corpus="$build/corpus"
mkdir -p "$corpus"
"$build/tests/fuzz/make_onnx_seeds" "$corpus"
node=/usr/share/libonnx-testdata/data/node
for t in test_conv_with_strides_padding test_basic_conv_with_padding test_gemm_all_attributes \
         test_maxpool_2d_pads test_averagepool_2d_ceil test_batchnorm_example test_reshape_negative_dim \
         test_softmax_axis_1_expanded test_logsoftmax_default_axis_expanded test_clip \
         test_concat_3d_axis_1 test_transpose_default test_flatten_axis2 test_slice test_pad \
         test_unsqueeze_axis_0 test_squeeze test_reduce_mean_keepdims_example test_dropout_default \
         test_if test_lrn test_lstm_with_peepholes test_lstm_batchwise test_gru_with_initial_bias \
         test_simple_rnn_with_initial_bias test_cumsum_2d_axis_0 test_hardmax_axis_1 test_tril \
         test_maxpool_with_argmax_2d_precomputed_strides test_maxunpool_export_with_output_shape test_top_k; do
    if [[ -f $node/$t/model.onnx ]]; then
        cp "$node/$t/model.onnx" "$corpus/$t.onnx"
        cp "$node/$t/test_data_set_0/input_0.pb" "$corpus/$t.input_0.pb" 2>/dev/null || true
    fi
done

# Crash reproducers go to build-fuzz/, not the work tree.
cd "$build"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ./tests/fuzz/fuzz_onnx_load -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 corpus
echo "fuzz: no crash in ${seconds}s"
