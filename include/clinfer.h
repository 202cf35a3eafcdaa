/*
 * clinfer.h — the public API of clinfer, an OpenCL inference engine for CNNs.
 *
 * This header is the only one an embedder includes; its comments are the API
 * documentation.
 *
 * Conventions
 *  - Every fallible call returns clinfer_status: CLINFER_OK (0) on success, a
 *    negative value on failure. clinfer_status_str() names a status.
 *  - A failing call also records a message that says what was wrong (the
 *    argument, the OpenCL call and its cl_int, the first lines of a build
 *    log, ...). clinfer_last_errmsg() returns the message of the last failing
 *    call made on the calling thread; clinfer_runtime_errmsg() returns the
 *    last message recorded on a runtime.
 *  - Whoever calls a _create function calls the matching _free; _free(NULL)
 *    is a no-op; on failure the output handle is set to NULL.
 *  - The library never prints, exits or aborts; diagnostics go to the
 *    optional log callback of clinfer_runtime_options.
 *
 * Threads
 *  - clinfer_version, clinfer_device_list, clinfer_status_str and
 *    clinfer_last_errmsg may be called from any thread at any time.
 *  - A clinfer_runtime may be shared by any number of threads once created:
 *    compiling models, creating sessions and running them on one runtime
 *    from several threads at once is safe. Building and caching programs is
 *    serialised inside it; everything else it holds is read-only.
 *  - A compiled clinfer_model is read-only and may be shared by threads;
 *    give each thread its own session over the shared model.
 *  - A clinfer_graph and a clinfer_session are used by one thread at a time
 *    (different ones may be used by different threads concurrently).
 *  - Queues: by default every session has its own in-order command queue
 *    (clinfer_queue_mode), so threads do not wait for each other's runs.
 *  - Error messages: clinfer_last_errmsg() (per thread) and
 *    clinfer_session_errmsg() / clinfer_graph_errmsg() (per handle, which
 *    is used by one thread) are the reliable ones under threads.
 *    clinfer_runtime_errmsg() returns the last message recorded on the
 *    runtime by any thread; it is safe to call but may describe another
 *    thread's failure.
 *  - The log callback is called on the thread that made the failing or
 *    logging call, so it may be called from several threads at once.
 *  - Free a model only after every session over it, and the runtime only
 *    after every model and session on it, is freed; no call on a handle may
 *    run concurrently with its _free.
 *
 * Typical use
 *    clinfer_runtime_create -> build a clinfer_graph (or load ONNX) ->
 *    clinfer_model_compile -> clinfer_session_create (batch size) ->
 *    { clinfer_session_set_input, clinfer_session_run,
 *      clinfer_session_get_output }* -> free in reverse order.
 *
 * OpenCL interop (your own context and queue, cl_mem inputs and outputs,
 * events) is declared in clinfer_cl.h, which includes the OpenCL headers;
 * this header does not need them.
 */
#ifndef CLINFER_H
#define CLINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CLINFER_BUILDING_LIBRARY) && defined(__GNUC__)
#define CLINFER_API __attribute__((visibility("default")))
#else
#define CLINFER_API
#endif

/* --------------------------------------------------------------- version
 *
 * The version of this header. CMakeLists.txt reads these three lines, so
 * the library, its soname, clinfer.pc and the CMake package follow them.
 * Stability: the C API of this header is stable within a major version
 * (before 1.0: within a minor version); the ABI within a SOVERSION of
 * libclinfer.so. */
#define CLINFER_VERSION_MAJOR 0
#define CLINFER_VERSION_MINOR 1
#define CLINFER_VERSION_PATCH 0

#define CLINFER_STRINGIFY_(x) #x
#define CLINFER_STRINGIFY(x) CLINFER_STRINGIFY_(x)
/* "MAJOR.MINOR.PATCH" of this header. */
#define CLINFER_VERSION_STRING                                                 \
    CLINFER_STRINGIFY(CLINFER_VERSION_MAJOR) "." CLINFER_STRINGIFY(            \
        CLINFER_VERSION_MINOR) "." CLINFER_STRINGIFY(CLINFER_VERSION_PATCH)
/* One comparable number: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CLINFER_VERSION_NUMBER                                                 \
    (CLINFER_VERSION_MAJOR * 10000 + CLINFER_VERSION_MINOR * 100 + CLINFER_VERSION_PATCH)

/* The version of the library linked at run time ("0.1.0"); compare with
 * CLINFER_VERSION_STRING to detect a header/library mismatch. */
CLINFER_API const char *clinfer_version(void);

/* ---------------------------------------------------------------- status */

/* X(name, value, description): one table makes the enum and the strings. */
#define CLINFER_STATUS_TABLE(X)                                                  \
    X(CLINFER_OK, 0, "success")                                                  \
    X(CLINFER_ERR_INVALID_ARGUMENT, -1, "invalid argument")                      \
    X(CLINFER_ERR_OUT_OF_HOST_MEMORY, -2, "out of host memory")                  \
    X(CLINFER_ERR_OPENCL, -3, "an OpenCL call failed")                           \
    X(CLINFER_ERR_DEVICE_NOT_FOUND, -4, "no matching OpenCL device")             \
    X(CLINFER_ERR_BUILD_FAILED, -5, "an OpenCL program failed to build")         \
    X(CLINFER_ERR_DEVICE_OUT_OF_MEMORY, -6, "out of device memory or resources") \
    X(CLINFER_ERR_IO, -7, "file input/output failed")                            \
    X(CLINFER_ERR_UNSUPPORTED, -8, "unsupported operation or attribute")         \
    X(CLINFER_ERR_INVALID_MODEL, -9, "malformed model")                          \
    X(CLINFER_ERR_SHAPE, -10, "tensor shapes do not match")

#define CLINFER_STATUS_ENUM_ENTRY(name, value, text) name = value,
typedef enum clinfer_status { CLINFER_STATUS_TABLE(CLINFER_STATUS_ENUM_ENTRY) } clinfer_status;
#undef CLINFER_STATUS_ENUM_ENTRY

/* A static string describing the status ("unknown status" for other values). */
CLINFER_API const char *clinfer_status_str(clinfer_status status);

/* The message of the last failing call on this thread ("" if none yet).
 * The pointer stays valid until the next failing call on this thread. */
CLINFER_API const char *clinfer_last_errmsg(void);

/* ---------------------------------------------------------------- shapes */

#define CLINFER_MAX_RANK 8

/* A tensor shape, outermost dimension first (NCHW for images). */
typedef struct clinfer_shape {
    int32_t rank;
    int64_t dims[CLINFER_MAX_RANK];
} clinfer_shape;

/* --------------------------------------------------------------- devices */

typedef enum clinfer_device_type {
    CLINFER_DEVICE_OTHER = 0,
    CLINFER_DEVICE_CPU = 1,
    CLINFER_DEVICE_GPU = 2,
    CLINFER_DEVICE_ACCELERATOR = 3
} clinfer_device_type;

/* What a device is and can do; probed once when a runtime is created. */
typedef struct clinfer_device_info {
    uint32_t platform_index;
    uint32_t device_index;
    clinfer_device_type type;
    char name[128];
    char vendor[128];
    char platform_name[128];
    char driver_version[64];
    char opencl_version[64];
    uint32_t compute_units;
    uint64_t global_mem_bytes;
    uint64_t local_mem_bytes;
    uint64_t max_alloc_bytes;
    size_t max_work_group_size;
    int has_fp16; /* cl_khr_fp16 is supported */
    int is_default; /* the device chosen when no SPEC is given */
} clinfer_device_info;

/* Lists every device of every platform. Writes at most `capacity` entries to
 * `out` (which may be NULL when capacity is 0) and the total number of
 * devices to *count. Not finding any platform is not an error: *count is 0. */
CLINFER_API clinfer_status clinfer_device_list(clinfer_device_info *out, size_t capacity,
                                               size_t *count);

/* A printable name of a device type ("cpu", "gpu", "accelerator", "other"). */
CLINFER_API const char *clinfer_device_type_str(clinfer_device_type type);

/* --------------------------------------------------------------- runtime */

typedef struct clinfer_runtime clinfer_runtime;

typedef enum clinfer_log_level {
    CLINFER_LOG_DEBUG = 0,
    CLINFER_LOG_INFO = 1,
    CLINFER_LOG_WARNING = 2,
    CLINFER_LOG_ERROR = 3
} clinfer_log_level;

/* Called from the thread that made the call; `message` is valid only during
 * the callback. */
typedef void (*clinfer_log_fn)(void *user_data, clinfer_log_level level, const char *message);

/* clinfer_runtime_options.tuning. */
typedef enum clinfer_tuning {
    /* CLINFER_TUNE: 0 off; 1 on; unset: a stored choice, else on GPUs a
     * search, on CPUs the default tiles of the vector width unmeasured (a
     * search costs a cold start about 2 s of compiles) */
    CLINFER_TUNING_DEFAULT = 0,
    CLINFER_TUNING_ON = 1,      /* a stored choice, else measure a few GEMM tile sizes and
                                   store the fastest (`clinfer compile` does) */
    CLINFER_TUNING_OFF = 2      /* the default tile sizes; nothing measured or stored */
} clinfer_tuning;

/* clinfer_runtime_options.precision: how the runtime's models keep
 * tensors on the device. FP16 stores weights and activations as IEEE half
 * (2 bytes; vload_half/vstore_half, core OpenCL, so every device runs it)
 * and computes in float: accumulations, softmax sums and normalisation
 * statistics stay float. The C API stays float either way (inputs are
 * rounded to half when set, outputs widened when read); buffers bound with
 * clinfer_session_set_input_buffer/_output_buffer hold half values. */
typedef enum clinfer_precision {
    CLINFER_PRECISION_DEFAULT = 0, /* CLINFER_PRECISION: fp32, fp16 or fp16-math; unset: fp32 */
    CLINFER_PRECISION_FP32 = 1,
    CLINFER_PRECISION_FP16 = 2,
    /* Half storage as FP16, and half arithmetic in the inner loops of the
     * GPU-class products (the local-memory GEMM tiles that GEMMs, im2col and
     * implicit-GEMM convolutions run; not Winograd's, whose buffers stay
     * float): each tile step's products and sums in half, added to float
     * accumulators between steps. Needs a device
     * that reports cl_khr_fp16 (creating the runtime on another fails with
     * CLINFER_ERR_UNSUPPORTED). The CPU-class kernels compute in float as
     * with FP16. Opt-in only: CLINFER_PRECISION=fp16-math or this value. */
    CLINFER_PRECISION_FP16_MATH = 3
} clinfer_precision;

/* "fp32", "fp16", "fp16-math" ("default" for CLINFER_PRECISION_DEFAULT,
 * NULL for anything else). */
CLINFER_API const char *clinfer_precision_name(clinfer_precision precision);

/* The precision named `text` ("fp32", "fp16" or "fp16-math") in *out; anything else is
 * CLINFER_ERR_INVALID_ARGUMENT with a message naming the choices. */
CLINFER_API clinfer_status clinfer_precision_parse(const char *text, clinfer_precision *out);

typedef struct clinfer_runtime_options {
    /* Which device: "gpu", "cpu", "P:D" (platform and device index), or a
     * case-insensitive substring of the device name. NULL: the environment
     * variable CLINFER_DEVICE, else the first GPU, else the first device.
     * Borrowed during clinfer_runtime_create only. */
    const char *device_spec;
    /* Directory of the on-disk program cache. NULL: $CLINFER_CACHE_DIR, else
     * $XDG_CACHE_HOME/clinfer, else $HOME/.cache/clinfer. Copied. */
    const char *cache_dir;
    /* Non-zero: never read or write the on-disk cache. The environment
     * variable CLINFER_CACHE=0 (or "off") does the same. */
    int disable_disk_cache;
    clinfer_log_fn log;   /* optional */
    void *log_user_data;  /* passed to log */
    clinfer_log_level log_level; /* messages below this level are not sent */
    /* Kernel choices (README, "Kernels and how to force them"), mostly for
     * tests and benchmarks: each forces one variant where it applies. NULL:
     * the environment variable named beside the field, else automatic; ""
     * and "auto": automatic. Borrowed during clinfer_runtime_create only. */
    const char *gemm_variant;      /* CLINFER_GEMM_VARIANT: cpu, gpu, naive, auto */
    const char *conv_algo;         /* CLINFER_CONV_ALGO: auto, naive, direct, im2col,
                                      gemm1x1, winograd, depthwise, pooled, fc, stem,
                                      implicit */
    const char *depthwise_variant; /* CLINFER_DEPTHWISE_VARIANT: cpu, gpu, auto */
    const char *pool_variant;      /* CLINFER_POOL_VARIANT: rows, items, auto */
    /* The GEMM tile search on a device's first use. */
    clinfer_tuning tuning;
    /* Bytes of scratch memory for the lowered convolutions (images go
     * through it in chunks). 0: $CLINFER_CONV_SCRATCH_CAP, else 64 MiB. */
    uint64_t conv_scratch_cap;
    /* Storage of tensors on the device (clinfer_precision). It changes the
     * compiled programs and the bytes of every tensor, so it is one choice
     * per runtime: create a runtime per precision to compare them. */
    clinfer_precision precision;
    /* Which built programs the disk cache keeps as device binaries
     * (CLINFER_BINARIES): "auto" (NULL, ""): every program, except on PoCL,
     * where asking for a binary makes PoCL compile every kernel of the
     * program once more (longer than the build itself): there the cache only
     * records the build and PoCL's own kernel cache (POCL_CACHE_DIR) keeps
     * the compiled code; a later start rebuilds from source through it, 40-60
     * ms a program. "always": store binaries on PoCL too (what `clinfer
     * compile` does, so that a warm start loads each program in a few ms).
     * Borrowed during clinfer_runtime_create only. */
    const char *binaries;
} clinfer_runtime_options;

/* Defaults: the fields above as NULL / 0, log_level CLINFER_LOG_INFO. */
CLINFER_API clinfer_runtime_options clinfer_runtime_options_default(void);

/* Chooses a device, creates a context and one in-order command queue with
 * profiling enabled (the "runtime's queue", used by sessions created with
 * CLINFER_QUEUE_RUNTIME), and probes the device's capabilities. To use
 * your own context and queue, see clinfer_runtime_create_from_cl in
 * clinfer_cl.h. `options` may be
 * NULL for the defaults. An unknown device SPEC fails with
 * CLINFER_ERR_DEVICE_NOT_FOUND and a message that lists the devices. The
 * options and the environment variables they stand for are read here,
 * once: a kernel choice, tuning or scratch value that is not one of its
 * choices (from the option or, when the option is unset, the variable)
 * fails with CLINFER_ERR_INVALID_ARGUMENT and a message naming the option
 * or variable, the value and the valid choices. */
CLINFER_API clinfer_status clinfer_runtime_create(const clinfer_runtime_options *options,
                                                  clinfer_runtime **out);

/* Waits for queued work, then releases everything the runtime holds. */
CLINFER_API void clinfer_runtime_free(clinfer_runtime *runtime);

/* The chosen device. The pointer lives as long as the runtime. */
CLINFER_API const clinfer_device_info *clinfer_runtime_device(const clinfer_runtime *runtime);

/* The last error message recorded on this runtime by any thread ("" if
 * none). Returns a copy owned by the calling thread, valid until its next
 * call of this function. When several threads share a runtime, prefer
 * clinfer_last_errmsg() or the session's message. */
CLINFER_API const char *clinfer_runtime_errmsg(const clinfer_runtime *runtime);

/* The runtime's precision: CLINFER_PRECISION_FP32, _FP16 or _FP16_MATH
 * (never DEFAULT: the option or the environment, resolved). */
CLINFER_API clinfer_precision clinfer_runtime_precision(const clinfer_runtime *runtime);

/* The directory used for the on-disk program cache, or NULL if disabled. */
CLINFER_API const char *clinfer_runtime_cache_dir(const clinfer_runtime *runtime);

/* Counters of the program cache, for tests and the CLI. */
typedef struct clinfer_cache_stats {
    uint32_t memory_hits;  /* program already built in this runtime */
    uint32_t disk_hits;    /* program built from a cached binary, or rebuilt through
                              PoCL's kernel cache where the disk cache recorded its
                              build (clinfer_runtime_options.binaries) */
    uint32_t disk_rejects; /* cached file found but corrupt or stale: rebuilt */
    uint32_t source_builds; /* program compiled from source */
} clinfer_cache_stats;

CLINFER_API clinfer_cache_stats clinfer_runtime_cache_stats(const clinfer_runtime *runtime);

/* ================================================================ graphs
 *
 * A graph is built on the host, layer by layer, like a Keras Sequential or
 * an ONNX graph: values (tensors) are named and identified by
 * clinfer_value handles; layers take values and produce one new value.
 * clinfer_model_compile() checks and optimises the graph and uploads its
 * constants to a device once; a clinfer_session then runs it for one batch
 * size with every intermediate tensor resident on the device.
 *
 * Every builder call checks its arguments at once (unknown value, wrong rank,
 * channel mismatch, kernel larger than the padded input, ...) and on failure
 * returns a status and leaves the graph unchanged; the message is available
 * from clinfer_last_errmsg() and clinfer_graph_errmsg(). Names passed to the
 * builder are copied. A graph is used by one thread at a time.
 */

typedef struct clinfer_graph clinfer_graph;
typedef struct clinfer_model clinfer_model;
typedef struct clinfer_session clinfer_session;

/* A value in a graph; CLINFER_NO_VALUE for an absent optional input. */
typedef int32_t clinfer_value;
#define CLINFER_NO_VALUE ((clinfer_value)-1)

/* In an input's shape, a first dimension left open until a session picks
 * the batch size. */
#define CLINFER_BATCH_DIM ((int64_t)-1)

/* The activations every convolution, GEMM and element-wise kernel can
 * apply to its output, one line each: X(NAME, value, ONNX op type). They
 * are also the first unary operations (clinfer_unary_op, same values), so
 * they take the values 1 to 31 (CLINFER_UNARY_EXP is 32). Each takes at
 * most two parameters, alpha and beta. NaN in gives NaN out. */
#define CLINFER_ACTIVATION_TABLE(X)                                            \
    X(RELU, 1, "Relu")                                                         \
    X(LEAKY_RELU, 2, "LeakyRelu") /* alpha: slope for x < 0 */                 \
    X(CLIP, 3, "Clip")            /* alpha: min, beta: max (ReLU6: 0, 6) */    \
    X(SIGMOID, 4, "Sigmoid")                                                   \
    X(TANH, 5, "Tanh")                                                         \
    X(HARD_SIGMOID, 6, "HardSigmoid") /* max(0, min(1, alpha * x + beta)) */   \
    /* x * HardSigmoid(x): ONNX HardSwish is alpha 1/6, beta 0.5 */            \
    X(HARD_SWISH, 7, "HardSwish")                                              \
    /* x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); alpha != 0: the tanh form */  \
    /* 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) */                    \
    X(GELU, 8, "Gelu")                                                         \
    X(ELU, 9, "Elu")        /* x > 0 ? x : alpha (exp(x) - 1) */               \
    X(SELU, 10, "Selu")     /* beta (x > 0 ? x : alpha (exp(x) - 1)) */        \
    X(CELU, 11, "Celu")     /* x > 0 ? x : alpha (exp(x / alpha) - 1) */       \
    X(SOFTPLUS, 12, "Softplus") /* log(1 + exp(x)) */                          \
    X(SOFTSIGN, 13, "Softsign") /* x / (1 + |x|) */                            \
    X(MISH, 14, "Mish")         /* x tanh(log(1 + exp(x))) */                  \
    X(THRESHOLDED_RELU, 15, "ThresholdedRelu") /* x > alpha ? x : 0 */       \
    /* x sigmoid(alpha x); alpha 1: SiLU, written as Mul(x, Sigmoid(x)) */    \
    X(SWISH, 16, "Swish")                                                      \
    /* a QuantizeLinear -> DequantizeLinear pair (QDQ models): alpha the */   \
    /* scale, beta the zero point; (clamp(rint(x / alpha) + beta) - beta) */  \
    /* * alpha, clamped to [0, 255] (U8) or [-128, 127] (S8) */               \
    X(QDQ_U8, 17, "QuantizeLinear/DequantizeLinear (uint8)")                   \
    X(QDQ_S8, 18, "QuantizeLinear/DequantizeLinear (int8)")

#define CLINFER_ACT_ENUM_ENTRY(name, value, onnx) CLINFER_ACT_##name = value,
typedef enum clinfer_activation {
    CLINFER_ACT_NONE = 0,
    CLINFER_ACTIVATION_TABLE(CLINFER_ACT_ENUM_ENTRY)
    CLINFER_ACT_COUNT /* one past the last */
} clinfer_activation;

typedef enum clinfer_pad_mode {
    CLINFER_PAD_EXPLICIT = 0, /* the pad_* fields */
    CLINFER_PAD_SAME_UPPER,   /* output = ceil(input / stride), extra padding at the end */
    CLINFER_PAD_SAME_LOWER,   /* the same, extra padding at the start */
    CLINFER_PAD_VALID         /* no padding */
} clinfer_pad_mode;

typedef struct clinfer_conv2d_desc {
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t groups;
    clinfer_pad_mode pad_mode;
    int32_t pad_top, pad_left, pad_bottom, pad_right; /* CLINFER_PAD_EXPLICIT only */
    clinfer_activation activation; /* fused after the bias */
    float act_alpha, act_beta;
} clinfer_conv2d_desc;

/* Stride, dilation and groups 1, explicit zero padding, no activation. */
CLINFER_API clinfer_conv2d_desc clinfer_conv2d_desc_default(void);

/* A 2-D transposed convolution (ONNX ConvTranspose). The output is
 * stride * (input - 1) + output_padding + dilation * (kernel - 1) + 1 minus
 * the padding, which is pad_* (CLINFER_PAD_EXPLICIT), none (VALID), or
 * computed: for output_h/output_w > 0 (ONNX output_shape) so that the
 * output has that size, else for SAME_UPPER/SAME_LOWER so that it is
 * input * stride; an odd total puts the extra row at the end for
 * SAME_UPPER, at the start otherwise (the ONNX rule). */
typedef struct clinfer_conv_transpose2d_desc {
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t groups;
    clinfer_pad_mode pad_mode;
    int32_t pad_top, pad_left, pad_bottom, pad_right; /* CLINFER_PAD_EXPLICIT only */
    int32_t output_padding_h, output_padding_w;       /* each < its stride or dilation */
    int32_t output_h, output_w;                       /* > 0: the output size; 0: none */
    clinfer_activation activation;                    /* fused after the bias */
    float act_alpha, act_beta;
} clinfer_conv_transpose2d_desc;

/* Stride, dilation and groups 1, no padding, no output size, no activation. */
CLINFER_API clinfer_conv_transpose2d_desc clinfer_conv_transpose2d_desc_default(void);

typedef enum clinfer_pool_kind { CLINFER_POOL_MAX = 0, CLINFER_POOL_AVG = 1 } clinfer_pool_kind;

typedef struct clinfer_pool2d_desc {
    clinfer_pool_kind kind;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w; /* max pooling only */
    clinfer_pad_mode pad_mode;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int ceil_mode;         /* output size rounds up, as ONNX ceil_mode=1 */
    int count_include_pad; /* average pooling divides by the padded window */
} clinfer_pool2d_desc;

/* Max pooling of kernel x kernel with stride = kernel, no padding. */
CLINFER_API clinfer_pool2d_desc clinfer_pool2d_desc_default(int32_t kernel);

#define CLINFER_UNARY_ENUM_ENTRY(name, value, onnx) CLINFER_UNARY_##name = value,
typedef enum clinfer_unary_op {
    CLINFER_ACTIVATION_TABLE(CLINFER_UNARY_ENUM_ENTRY) /* the activations */
    CLINFER_UNARY_EXP = 32, /* after the activations, with room for more */
    CLINFER_UNARY_LOG,
    CLINFER_UNARY_SQRT,
    CLINFER_UNARY_NEG,
    CLINFER_UNARY_ABS,
    CLINFER_UNARY_RECIPROCAL,
    CLINFER_UNARY_ERF,  /* the error function; not an activation */
    CLINFER_UNARY_FLOOR,
    CLINFER_UNARY_CEIL,
    CLINFER_UNARY_ROUND, /* to the nearest integer, halves to even (ONNX Round) */
    CLINFER_UNARY_SIGN,  /* -1, 0 or 1 (NaN stays NaN) */
    CLINFER_UNARY_SIN,
    CLINFER_UNARY_COS,
    CLINFER_UNARY_TAN,
    /* the inverse and hyperbolic functions give NaN outside their domain
     * (Asin, Acos past -1 or 1; Acosh below 1; Atanh past -1 or 1, and
     * -inf, inf at them) */
    CLINFER_UNARY_ASIN,
    CLINFER_UNARY_ACOS,
    CLINFER_UNARY_ATAN,
    CLINFER_UNARY_SINH,
    CLINFER_UNARY_COSH,
    CLINFER_UNARY_ASINH,
    CLINFER_UNARY_ACOSH,
    CLINFER_UNARY_ATANH,
    /* ONNX QuantizeLinear with a per-tensor scale (alpha) and zero point
     * (beta): rint(x / alpha) + beta, clamped to [0, 255] (U8) or
     * [-128, 127] (S8); the quantized values stay floats (exact) */
    CLINFER_UNARY_QUANTIZE_U8,
    CLINFER_UNARY_QUANTIZE_S8,
    /* ONNX DequantizeLinear, per-tensor: (x - beta) * alpha */
    CLINFER_UNARY_DEQUANTIZE
} clinfer_unary_op;

typedef enum clinfer_binary_op {
    CLINFER_BINARY_ADD = 0,
    CLINFER_BINARY_SUB,
    CLINFER_BINARY_MUL,
    CLINFER_BINARY_DIV,
    CLINFER_BINARY_POW,
    CLINFER_BINARY_MAX, /* NaN if either operand is NaN, as ONNX Max */
    CLINFER_BINARY_MIN,
    CLINFER_BINARY_PRELU /* a < 0 ? a * b : a (ONNX PRelu, b the slope) */
} clinfer_binary_op;

/* Creates an empty graph. */
CLINFER_API clinfer_status clinfer_graph_create(clinfer_graph **out);
CLINFER_API void clinfer_graph_free(clinfer_graph *graph);
/* The last error message recorded on this graph ("" if none). */
CLINFER_API const char *clinfer_graph_errmsg(const clinfer_graph *graph);

/* Declares an input. shape->dims[0] may be CLINFER_BATCH_DIM. Names are
 * unique among all values of the graph. */
CLINFER_API clinfer_status clinfer_graph_input(clinfer_graph *g, const char *name,
                                               const clinfer_shape *shape, clinfer_value *out);

/* A constant tensor (weights, biases, ...): `data` holds numel(shape) floats
 * and is copied. */
CLINFER_API clinfer_status clinfer_graph_constant(clinfer_graph *g, const char *name,
                                                  const clinfer_shape *shape, const float *data,
                                                  clinfer_value *out);

/* Marks `value` as a graph output, readable after a run, under `name` (NULL:
 * the value's own name). Outputs are numbered in the order they are marked. */
CLINFER_API clinfer_status clinfer_graph_output(clinfer_graph *g, clinfer_value value,
                                                const char *name);

/* The shape of a value as far as it is known while building (an open batch
 * dimension stays CLINFER_BATCH_DIM). */
CLINFER_API clinfer_status clinfer_graph_value_shape(const clinfer_graph *g, clinfer_value value,
                                                     clinfer_shape *out);

/* Layers. Each takes a layer `name` (NULL: generated), its input values, and
 * writes the value it produces to *out. */

/* 2-D convolution, NCHW. weight: constant [OC, C/groups, KH, KW]; bias:
 * constant [OC] or CLINFER_NO_VALUE. desc NULL: the defaults. */
CLINFER_API clinfer_status clinfer_graph_conv2d(clinfer_graph *g, const char *name,
                                                clinfer_value x, clinfer_value weight,
                                                clinfer_value bias,
                                                const clinfer_conv2d_desc *desc,
                                                clinfer_value *out);

/* 2-D transposed convolution, NCHW. weight: constant [C, OC/groups, KH, KW]
 * (ONNX's layout); bias: constant [OC] or CLINFER_NO_VALUE. desc NULL: the
 * defaults. */
CLINFER_API clinfer_status clinfer_graph_conv_transpose2d(
    clinfer_graph *g, const char *name, clinfer_value x, clinfer_value weight,
    clinfer_value bias, const clinfer_conv_transpose2d_desc *desc, clinfer_value *out);

/* Max or average pooling of an NCHW tensor. */
CLINFER_API clinfer_status clinfer_graph_pool2d(clinfer_graph *g, const char *name,
                                                clinfer_value x, const clinfer_pool2d_desc *desc,
                                                clinfer_value *out);

/* Global max or average pooling: [N, C, H, W] -> [N, C, 1, 1]. */
CLINFER_API clinfer_status clinfer_graph_global_pool(clinfer_graph *g, const char *name,
                                                     clinfer_value x, clinfer_pool_kind kind,
                                                     clinfer_value *out);

/* ONNX Gemm: alpha * A' B' + beta * C, A' = A or A^T ([M, K]), B' = B or B^T
 * ([K, N]); c is CLINFER_NO_VALUE or broadcastable to [M, N]. */
CLINFER_API clinfer_status clinfer_graph_gemm(clinfer_graph *g, const char *name,
                                              clinfer_value a, clinfer_value b, clinfer_value c,
                                              int trans_a, int trans_b, float alpha, float beta,
                                              clinfer_value *out);

/* A dense (fully connected) layer as Keras defines it: x [N, K] times the
 * constant kernel [K, units], plus bias [units] (or CLINFER_NO_VALUE), then
 * `activation` (alpha/beta as in clinfer_conv2d_desc). */
CLINFER_API clinfer_status clinfer_graph_dense(clinfer_graph *g, const char *name,
                                               clinfer_value x, clinfer_value kernel,
                                               clinfer_value bias, clinfer_activation activation,
                                               clinfer_value *out);

/* ONNX MatMul: 2-D or batched with broadcasting of the batch dimensions. */
CLINFER_API clinfer_status clinfer_graph_matmul(clinfer_graph *g, const char *name,
                                                clinfer_value a, clinfer_value b,
                                                clinfer_value *out);

/* Element-wise function; alpha and beta as in clinfer_unary_op. */
CLINFER_API clinfer_status clinfer_graph_unary(clinfer_graph *g, const char *name,
                                               clinfer_unary_op op, clinfer_value x, float alpha,
                                               float beta, clinfer_value *out);

/* Element-wise Add, Sub, Mul, Div, Pow and PRelu with NumPy broadcasting. */
CLINFER_API clinfer_status clinfer_graph_binary(clinfer_graph *g, const char *name,
                                                clinfer_binary_op op, clinfer_value a,
                                                clinfer_value b, clinfer_value *out);

/* Softmax (or LogSoftmax when `log`) along `axis` (negative: from the end). */
CLINFER_API clinfer_status clinfer_graph_softmax(clinfer_graph *g, const char *name,
                                                 clinfer_value x, int32_t axis, int log,
                                                 clinfer_value *out);

typedef enum clinfer_reduce_op {
    CLINFER_REDUCE_SUM = 0,
    CLINFER_REDUCE_MEAN,
    CLINFER_REDUCE_MAX,
    CLINFER_REDUCE_MIN,
    CLINFER_REDUCE_PROD,
    CLINFER_REDUCE_SUM_SQUARE,
    CLINFER_REDUCE_L1,          /* sum of |x| */
    CLINFER_REDUCE_L2,          /* sqrt of the sum of squares */
    CLINFER_REDUCE_LOG_SUM,     /* log of the sum */
    CLINFER_REDUCE_LOG_SUM_EXP  /* log of the sum of exp, computed past the maximum */
} clinfer_reduce_op;

/* ONNX ReduceSum/Mean/Max/Min/Prod/SumSquare/L1/L2/LogSum/LogSumExp over
 * `axes` (negative: from the end; none: every axis), keeping reduced
 * dimensions as 1 when `keepdims`. */
CLINFER_API clinfer_status clinfer_graph_reduce(clinfer_graph *g, const char *name,
                                                clinfer_reduce_op op, clinfer_value x,
                                                const int64_t *axes, int32_t axes_count,
                                                int keepdims, clinfer_value *out);

/* ONNX ArgMax (min 0) or ArgMin (min 1) along `axis` (negative: from the
 * end), keeping the axis as 1 when `keepdims`: the index of the first
 * extreme element, or of the last with `select_last_index`; NaN counts as
 * the extreme (as NumPy). The index is a float holding an integer (an ONNX
 * model's int64 output is converted where it leaves the model); the axis
 * may hold at most 2^24 elements, 2049 in CLINFER_PRECISION_FP16. */
CLINFER_API clinfer_status clinfer_graph_arg_reduce(clinfer_graph *g, const char *name, int min,
                                                    clinfer_value x, int64_t axis, int keepdims,
                                                    int select_last_index, clinfer_value *out);

/* The conditions Where takes, computed on run-time tensors (ONNX Equal,
 * Less, LessOrEqual, Greater, GreaterOrEqual, And, Or, Xor): 1 where true,
 * else 0, the operands broadcast (NumPy rules). Comparisons with NaN are
 * false; And, Or and Xor take nonzero as true. */
typedef enum clinfer_compare_op {
    CLINFER_COMPARE_EQUAL = 0,
    CLINFER_COMPARE_LESS,
    CLINFER_COMPARE_LESS_EQUAL,
    CLINFER_COMPARE_GREATER,
    CLINFER_COMPARE_GREATER_EQUAL,
    CLINFER_COMPARE_AND,
    CLINFER_COMPARE_OR,
    CLINFER_COMPARE_XOR
} clinfer_compare_op;

CLINFER_API clinfer_status clinfer_graph_compare(clinfer_graph *g, const char *name,
                                                 clinfer_compare_op op, clinfer_value a,
                                                 clinfer_value b, clinfer_value *out);

/* ONNX Where: cond ? x : y element by element, the three broadcast together
 * (NumPy rules); cond is true where nonzero. */
CLINFER_API clinfer_status clinfer_graph_where(clinfer_graph *g, const char *name,
                                               clinfer_value cond, clinfer_value x,
                                               clinfer_value y, clinfer_value *out);

/* ONNX GatherElements (torch.gather): the output has the shape of
 * `indices` (a value of the rank of `data`, no larger than data but along
 * `axis`); element i is data at i's coordinates with the one along `axis`
 * (negative: from the end) replaced by indices[i] (negative: from the end
 * of the axis). The indices are floats holding integers: the axis may hold
 * at most 2^24 elements, 2048 in CLINFER_PRECISION_FP16. Constant indices
 * out of range are an error; run-time ones give NaN there. */
CLINFER_API clinfer_status clinfer_graph_gather_elements(clinfer_graph *g, const char *name,
                                                         clinfer_value data,
                                                         clinfer_value indices, int64_t axis,
                                                         clinfer_value *out);

/* ONNX Gather: the output is `data` with its dim `axis` (negative: from the
 * end) replaced by the dims of `indices` (a value of any rank, 0 included;
 * the result has rank at most CLINFER_MAX_RANK); out[a.., k.., b..] =
 * data[a.., indices[k..], b..], a negative index counting from the end of
 * the axis. The indices are floats holding integers, computed at run time
 * or a constant: the axis may hold at most 2^24 elements, 2048 in
 * CLINFER_PRECISION_FP16. Constant indices out of range are an error;
 * run-time ones give NaN there (data is never read outside its buffer). */
CLINFER_API clinfer_status clinfer_graph_gather(clinfer_graph *g, const char *name,
                                                clinfer_value data, clinfer_value indices,
                                                int64_t axis, clinfer_value *out);

/* Concatenation of `count` values along `axis`. */
CLINFER_API clinfer_status clinfer_graph_concat(clinfer_graph *g, const char *name,
                                                const clinfer_value *xs, int32_t count,
                                                int32_t axis, clinfer_value *out);

/* BatchNormalization, inference form, channel axis 1; scale, bias, mean and
 * var are constants of shape [C]. Folded into a preceding convolution when
 * the model is compiled. */
CLINFER_API clinfer_status clinfer_graph_batchnorm(clinfer_graph *g, const char *name,
                                                   clinfer_value x, clinfer_value scale,
                                                   clinfer_value bias, clinfer_value mean,
                                                   clinfer_value var, float epsilon,
                                                   clinfer_value *out);

/* Normalisations: y = (x - mean) / sqrt(var + epsilon) * scale + bias, mean
 * and (population) variance over the elements normalised together. scale
 * and bias may be CLINFER_NO_VALUE (1 and 0) and need not be constants.
 * instance_norm: x [N, C, ...] of rank >= 3, per (n, c) over the spatial
 *   dims; scale, bias [C] (ONNX InstanceNormalization).
 * layer_norm: over dims axis..rank-1 (axis negative: from the end); scale,
 *   bias hold prod(x.shape[axis:]) values (ONNX LayerNormalization).
 * group_norm: x [N, C, ...], per n and group of C / groups channels; scale,
 *   bias [C] (per channel, ONNX opset 21) or [groups] (per group, opset 18).
 * mean_variance_norm: (x - mean) / (sqrt(var) + 1e-9) over `axes` (NULL:
 *   [0, 2, 3]); the dims not in axes must be consecutive (ONNX
 *   MeanVarianceNormalization). */
CLINFER_API clinfer_status clinfer_graph_instance_norm(clinfer_graph *g, const char *name,
                                                       clinfer_value x, clinfer_value scale,
                                                       clinfer_value bias, float epsilon,
                                                       clinfer_value *out);
CLINFER_API clinfer_status clinfer_graph_layer_norm(clinfer_graph *g, const char *name,
                                                    clinfer_value x, clinfer_value scale,
                                                    clinfer_value bias, int32_t axis,
                                                    float epsilon, clinfer_value *out);
CLINFER_API clinfer_status clinfer_graph_group_norm(clinfer_graph *g, const char *name,
                                                    clinfer_value x, clinfer_value scale,
                                                    clinfer_value bias, int32_t groups,
                                                    float epsilon, clinfer_value *out);
CLINFER_API clinfer_status clinfer_graph_mean_variance_norm(clinfer_graph *g, const char *name,
                                                            clinfer_value x, const int64_t *axes,
                                                            int32_t axes_count,
                                                            clinfer_value *out);

/* Constant padding. pads: 2 * rank values, all the starts then all the ends
 * (ONNX order); negative values crop. */
CLINFER_API clinfer_status clinfer_graph_pad(clinfer_graph *g, const char *name, clinfer_value x,
                                             const int64_t *pads, int32_t pads_count,
                                             float value, clinfer_value *out);

/* Transpose by `perm` (perm NULL: reverse the dimensions). */
CLINFER_API clinfer_status clinfer_graph_transpose(clinfer_graph *g, const char *name,
                                                   clinfer_value x, const int32_t *perm,
                                                   int32_t perm_count, clinfer_value *out);

/* ONNX Slice: for each listed axis (negative: from the end; axes NULL:
 * 0..count-1), elements starts[i], starts[i] + steps[i], ... up to but not
 * including ends[i] (steps NULL: all 1; negative steps walk backwards).
 * Starts and ends are clamped as ONNX does; INT64_MAX / INT64_MIN mean "to
 * the end". The result must not be empty. */
CLINFER_API clinfer_status clinfer_graph_slice(clinfer_graph *g, const char *name,
                                               clinfer_value x, const int64_t *starts,
                                               const int64_t *ends, const int64_t *axes,
                                               const int64_t *steps, int32_t count,
                                               clinfer_value *out);

/* Expand (ONNX): x broadcast against `shape` (ranks aligned at the end; a
 * 1 on either side takes the other's extent). */
CLINFER_API clinfer_status clinfer_graph_expand(clinfer_graph *g, const char *name,
                                                clinfer_value x, const clinfer_shape *shape,
                                                clinfer_value *out);
/* Tile (ONNX): x repeated repeats[d] times along each dim d (count = rank). */
CLINFER_API clinfer_status clinfer_graph_tile(clinfer_graph *g, const char *name,
                                              clinfer_value x, const int64_t *repeats,
                                              int32_t count, clinfer_value *out);
/* ONNX Resize / Upsample of an NCHW tensor along H and W: how an output
 * coordinate maps to the input (coordinate transformation), and how the
 * input around it is combined. */
typedef enum clinfer_resize_mode {
    CLINFER_RESIZE_NEAREST = 0,
    CLINFER_RESIZE_LINEAR, /* bilinear */
    CLINFER_RESIZE_CUBIC   /* bicubic, cubic_coeff_a, exclude_outside */
} clinfer_resize_mode;

typedef enum clinfer_resize_coord {
    CLINFER_COORD_HALF_PIXEL = 0,
    CLINFER_COORD_HALF_PIXEL_SYMMETRIC,
    CLINFER_COORD_PYTORCH_HALF_PIXEL,
    CLINFER_COORD_ALIGN_CORNERS,
    CLINFER_COORD_ASYMMETRIC,
    CLINFER_COORD_TF_CROP_AND_RESIZE, /* roi, extrapolation_value */
    CLINFER_COORD_TF_HALF_PIXEL_FOR_NN /* Resize-11 only: (x + 0.5) / scale */
} clinfer_resize_coord;

typedef enum clinfer_resize_nearest {
    CLINFER_NEAREST_ROUND_PREFER_FLOOR = 0,
    CLINFER_NEAREST_ROUND_PREFER_CEIL,
    CLINFER_NEAREST_FLOOR,
    CLINFER_NEAREST_CEIL,
    /* Upsample and Resize-10, which define no rounding: floor on an axis
     * that grows, ceil on one that shrinks (ONNX Runtime's rule) */
    CLINFER_NEAREST_SIMPLE
} clinfer_resize_nearest;

typedef struct clinfer_resize_desc {
    clinfer_resize_mode mode;
    clinfer_resize_coord coord;
    clinfer_resize_nearest nearest;
    float cubic_coeff_a;       /* -0.75 */
    int exclude_outside;       /* cubic: weights outside the input are 0, the rest renormalised */
    float extrapolation_value; /* tf_crop_and_resize, outside the input */
    float roi[4];              /* tf_crop_and_resize: start H, start W, end H, end W (normalised) */
    /* Per axis (H, W): the scale (> 0), or 0 for out / in; the output
     * size, or 0 for floor(in * scale). At least one of each pair. */
    float scale_h, scale_w;
    int64_t out_h, out_w;
} clinfer_resize_desc;

/* Nearest, half_pixel, round_prefer_floor, cubic_coeff_a -0.75, roi 0..1,
 * no scale or size set. */
CLINFER_API clinfer_resize_desc clinfer_resize_desc_default(void);

/* Resize of x [N, C, H, W] along H and W. */
CLINFER_API clinfer_status clinfer_graph_resize(clinfer_graph *g, const char *name,
                                                clinfer_value x, const clinfer_resize_desc *desc,
                                                clinfer_value *out);

/* ONNX DepthToSpace of x [N, C, H, W] into [N, C / b^2, H * b, W * b]
 * (crd 0: DCR order, 1: CRD) and SpaceToDepth, the inverse of DCR, into
 * [N, C * b^2, H / b, W / b]. */
CLINFER_API clinfer_status clinfer_graph_depth_to_space(clinfer_graph *g, const char *name,
                                                        clinfer_value x, int32_t blocksize,
                                                        int crd, clinfer_value *out);
CLINFER_API clinfer_status clinfer_graph_space_to_depth(clinfer_graph *g, const char *name,
                                                        clinfer_value x, int32_t blocksize,
                                                        clinfer_value *out);

/* ONNX GridSample (opset 16; torch.nn.functional.grid_sample) of x
 * [N, C, H, W] at the points of grid [N, OH, OW, 2] (x then y, -1 and 1
 * the input's edges: its corner pixels' centres with align_corners, else
 * their outer edges) into [N, C, OH, OW]. Points outside the input read
 * zeros, the nearest border pixel, or the input reflected at its edges. */
typedef enum clinfer_grid_sample_mode {
    CLINFER_GRID_SAMPLE_BILINEAR = 0,
    CLINFER_GRID_SAMPLE_NEAREST, /* the nearest pixel, halves to even */
    CLINFER_GRID_SAMPLE_BICUBIC  /* 4 x 4 taps, cubic coefficient -0.75 */
} clinfer_grid_sample_mode;
typedef enum clinfer_grid_padding {
    CLINFER_GRID_PAD_ZEROS = 0,
    CLINFER_GRID_PAD_BORDER,
    CLINFER_GRID_PAD_REFLECTION
} clinfer_grid_padding;
CLINFER_API clinfer_status clinfer_graph_grid_sample(clinfer_graph *g, const char *name,
                                                     clinfer_value x, clinfer_value grid,
                                                     clinfer_grid_sample_mode mode,
                                                     clinfer_grid_padding padding,
                                                     int align_corners, clinfer_value *out);

/* Recurrent layers as ONNX's RNN, GRU and LSTM define them (layout 0,
 * torch.nn.RNN/GRU/LSTM exports): x [T, B, I] (T steps of a batch of B),
 * w [D, G*H, I] and r [D, G*H, H] the input and recurrence weights of the
 * D directions (G gates: 1 RNN; 3 GRU, in the order z, r, h; 4 LSTM, in the
 * order i, o, f, c), b [D, 2*G*H] (Wb then Rb; CLINFER_NO_VALUE: zeros),
 * initial_h and initial_c [D, B, H] (CLINFER_NO_VALUE: zeros), peephole
 * [D, 3*H] (LSTM: i, o, f; CLINFER_NO_VALUE: none). w and b must be
 * constants. Outputs, each wanted when its pointer is not NULL: y
 * [T, D, B, H] (every step's hidden state), y_h [D, B, H] (the last
 * step's, which for the reverse direction is step 0's) and y_c [D, B, H]
 * (LSTM: the last cell state). The activations are f (the gates), g (the
 * candidate) and h (LSTM's output), per direction; CLINFER_ACT_NONE takes
 * ONNX's default (RNN: f Tanh; GRU: f Sigmoid, g Tanh; LSTM: f Sigmoid,
 * g and h Tanh). Sigmoid, Tanh, Relu, Softsign and Softplus are taken. */
typedef enum clinfer_rnn_cell {
    CLINFER_RNN_CELL_RNN = 0, /* H_t = f(X_t W^T + H_t-1 R^T + b) */
    CLINFER_RNN_CELL_GRU,
    CLINFER_RNN_CELL_LSTM
} clinfer_rnn_cell;
typedef enum clinfer_rnn_direction {
    CLINFER_RNN_FORWARD = 0,
    CLINFER_RNN_REVERSE,      /* from step T-1 down to step 0 */
    CLINFER_RNN_BIDIRECTIONAL /* D = 2: forward, then reverse */
} clinfer_rnn_direction;
typedef struct clinfer_rnn_desc {
    clinfer_rnn_cell cell;
    clinfer_rnn_direction direction;
    int32_t hidden_size;          /* H */
    float clip;                   /* > 0: gate inputs limited to [-clip, clip] */
    int linear_before_reset;      /* GRU: r applied after the product with R_h */
    int input_forget;             /* LSTM: f = 1 - i */
    clinfer_activation activations[2][3]; /* [direction][f, g, h] */
} clinfer_rnn_desc;
CLINFER_API clinfer_status clinfer_graph_rnn(clinfer_graph *g, const char *name,
                                             const clinfer_rnn_desc *desc, clinfer_value x,
                                             clinfer_value w, clinfer_value r, clinfer_value b,
                                             clinfer_value initial_h, clinfer_value initial_c,
                                             clinfer_value peephole, clinfer_value *y,
                                             clinfer_value *y_h, clinfer_value *y_c);
/* ONNX CumSum (opsets 11, 14): the running sum of x along `axis`
 * (negative: from the end), of the same shape: element k the sum of
 * elements 0 to k, or 0 to k - 1 with `exclusive` (the first is 0), or of
 * k to the end (k + 1 to the end) with `reverse`. The sums are taken in
 * float, in order along the axis. */
CLINFER_API clinfer_status clinfer_graph_cumsum(clinfer_graph *g, const char *name,
                                                clinfer_value x, int64_t axis, int exclusive,
                                                int reverse, clinfer_value *out);

/* MaxPool's second output (ONNX Indices), for unpooling (SegNet, ENet):
 * for each output of clinfer_graph_pool2d(x, desc) (desc->kind must be
 * CLINFER_POOL_MAX), the flat index in x [N, C, H, W] of its window's
 * first maximum (rows, then columns; a later element only when strictly
 * greater, as ONNX Runtime picks), as a float holding an integer:
 * ((n * C + c) * H + h) * W + w, or with storage_order 1
 * (n * C + c) * H * W + w * H + h. x may have at most 2^24 elements
 * (2048 in CLINFER_PRECISION_FP16), so that every index is exact. */
CLINFER_API clinfer_status clinfer_graph_max_pool_indices(clinfer_graph *g, const char *name,
                                                          clinfer_value x,
                                                          const clinfer_pool2d_desc *desc,
                                                          int storage_order, clinfer_value *out);

/* ONNX MaxUnpool of x [N, C, H, W]: zeros of the default size [N, C, H0,
 * W0], (in - 1) * stride - pad_begin - pad_end + kernel per axis, with
 * y.flat[indices.flat[k]] = x.flat[k], placed at the top left of an
 * output of [N, C, out_h, out_w] (zeros elsewhere), as ONNX's reference
 * and node tests have it (ONNX Runtime reads the indices as positions in
 * the output itself: the same where the output has the default size).
 * out_h = out_w = 0: the default size; a size below it is refused. */
typedef struct clinfer_unpool2d_desc {
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int64_t out_h, out_w; /* both 0: the default */
} clinfer_unpool2d_desc;

/* indices: x's shape, floats holding flat indices into the default-sized
 * result (as clinfer_graph_max_pool_indices gives them); the output may
 * have at most 2^24 elements (2048 in fp16). Of equal indices in one (n, c) plane the
 * later value stays; an index outside the output is skipped (never
 * written; ONNX Runtime fails the run instead); where indices of different
 * planes meet, which value stays is unspecified. */
CLINFER_API clinfer_status clinfer_graph_max_unpool(clinfer_graph *g, const char *name,
                                                    clinfer_value x, clinfer_value indices,
                                                    const clinfer_unpool2d_desc *desc,
                                                    clinfer_value *out);

/* ONNX TopK (opsets 1, 10, 11): along `axis` (negative: from the end),
 * the k largest elements of each line (the smallest when `largest` is 0),
 * in order (largest first, or smallest first), into *values (x's shape
 * with the axis' size k) and their indices along the axis into *indices
 * (floats holding integers; an ONNX model's int64 output is converted
 * where it leaves the model). Either pointer may be NULL when that output
 * is not wanted, not both. The order is ONNX Runtime's: a NaN above every
 * number (first when largest, last when smallest), equal elements by
 * lower index. k from 1 to the axis' size, which may hold at most
 * 2^24 + 1 elements, 2049 in CLINFER_PRECISION_FP16 (the indices stay
 * exact); the axis may not be the open batch dimension. *values is named `name`, *indices "<name>/indices". */
CLINFER_API clinfer_status clinfer_graph_topk(clinfer_graph *g, const char *name,
                                              clinfer_value x, int64_t axis, int64_t k,
                                              int largest, clinfer_value *values,
                                              clinfer_value *indices);

/* Views: no kernel and no copy, the output shares the input's memory.
 * flatten: [d0..d(axis-1)] and [d(axis)..] become two dimensions.
 * reshape: ONNX Reshape, 0 copies the input's dimension, -1 is inferred.
 * identity and dropout (inference: identity). */
CLINFER_API clinfer_status clinfer_graph_flatten(clinfer_graph *g, const char *name,
                                                 clinfer_value x, int32_t axis,
                                                 clinfer_value *out);
CLINFER_API clinfer_status clinfer_graph_reshape(clinfer_graph *g, const char *name,
                                                 clinfer_value x, const clinfer_shape *shape,
                                                 clinfer_value *out);
CLINFER_API clinfer_status clinfer_graph_identity(clinfer_graph *g, const char *name,
                                                  clinfer_value x, clinfer_value *out);

/* ================================================================ models */

/* Checks and optimises a graph for `runtime`'s device: shape inference,
 * BatchNormalization folded into convolutions, activations fused into
 * their producers, views turned into aliases; uploads the constants the
 * compiled graph uses. The graph is only read (it may be freed afterwards).
 * The model borrows the runtime, which must outlive it. A model may be
 * shared by threads, each with its own session. */
CLINFER_API clinfer_status clinfer_model_compile(clinfer_runtime *runtime,
                                                 const clinfer_graph *graph,
                                                 clinfer_model **out);
CLINFER_API void clinfer_model_free(clinfer_model *model);

CLINFER_API size_t clinfer_model_input_count(const clinfer_model *model);
CLINFER_API size_t clinfer_model_output_count(const clinfer_model *model);
CLINFER_API const char *clinfer_model_input_name(const clinfer_model *model, size_t index);
CLINFER_API const char *clinfer_model_output_name(const clinfer_model *model, size_t index);
/* The index of the input (output) called `name` into *index; NULL
 * arguments or a name the model does not have: CLINFER_ERR_INVALID_ARGUMENT
 * with a message naming the inputs (outputs) there are. */
CLINFER_API clinfer_status clinfer_model_input_index(const clinfer_model *model, const char *name,
                                                     size_t *index);
CLINFER_API clinfer_status clinfer_model_output_index(const clinfer_model *model,
                                                      const char *name, size_t *index);
/* Bytes of constants on the device. */
CLINFER_API uint64_t clinfer_model_weight_bytes(const clinfer_model *model);
/* Number of nodes after the compile passes (fused and view nodes excluded). */
CLINFER_API size_t clinfer_model_kernel_node_count(const clinfer_model *model);

/* ================================================================ ONNX */

/* Reads an ONNX model file into a new graph: every initializer becomes a
 * constant, every supported node a layer, the graph's inputs (those that
 * are not initializers) and outputs keep their names. The file is
 * untrusted: any malformed field, unsupported op or attribute, dangling
 * name or cycle is reported with a status and a message naming the node and
 * the field, and nothing leaks. */
CLINFER_API clinfer_status clinfer_graph_load_onnx(const char *path, clinfer_graph **out);

/* The same from bytes in memory (`data` is only read during the call). */
CLINFER_API clinfer_status clinfer_graph_load_onnx_memory(const void *data, size_t size,
                                                          clinfer_graph **out);

/* clinfer_graph_load_onnx followed by clinfer_model_compile. */
CLINFER_API clinfer_status clinfer_model_load(clinfer_runtime *runtime, const char *path,
                                              clinfer_model **out);

/* Host tensors and ONNX load options.
 *
 * A clinfer_tensor is a tensor in host memory: the value of an ONNX
 * TensorProto (.pb file), or a value given for a graph input when a model is
 * loaded. Float types (float16, bfloat16, double) become float32; integer
 * and bool types become int64. */
typedef enum clinfer_dtype {
    CLINFER_DTYPE_FLOAT32 = 1, /* the ONNX TensorProto.DataType codes */
    CLINFER_DTYPE_UINT8 = 2,
    CLINFER_DTYPE_INT8 = 3,
    CLINFER_DTYPE_UINT16 = 4,
    CLINFER_DTYPE_INT16 = 5,
    CLINFER_DTYPE_INT32 = 6,
    CLINFER_DTYPE_INT64 = 7,
    CLINFER_DTYPE_BOOL = 9,
    CLINFER_DTYPE_FLOAT16 = 10,
    CLINFER_DTYPE_FLOAT64 = 11,
    CLINFER_DTYPE_UINT32 = 12,
    CLINFER_DTYPE_UINT64 = 13,
    CLINFER_DTYPE_BFLOAT16 = 16
} clinfer_dtype;
/* A clinfer_tensor holds FLOAT32 or INT64 values; the other codes name
 * the types a model declares for its inputs and outputs
 * (clinfer_model_input_dtype), which clinfer computes in float32; sessions
 * read and write them as float32, or as FLOAT32, FLOAT16, INT64 or UINT8
 * through clinfer_session_set_input_typed/_get_output_typed. */

/* The element type the model declares for an input or output (ONNX
 * models: any numeric type; computed in float32 inside, so sessions take
 * and give float32 values, or the typed calls' four types converted on the
 * device); CLINFER_DTYPE_FLOAT32 for builder graphs. */
CLINFER_API clinfer_dtype clinfer_model_input_dtype(const clinfer_model *model, size_t index);
CLINFER_API clinfer_dtype clinfer_model_output_dtype(const clinfer_model *model, size_t index);

typedef struct clinfer_tensor {
    char *name;          /* may be NULL */
    clinfer_dtype dtype;
    clinfer_shape shape; /* dims >= 0; a 0 dim makes an empty tensor */
    void *data;          /* numel(shape) floats or int64_t; NULL when empty */
} clinfer_tensor;

/* Decodes a serialized ONNX TensorProto (untrusted: rank, dims, type and
 * byte counts are checked). On success the caller releases *out with
 * clinfer_tensor_release; on failure *out is zeroed. */
CLINFER_API clinfer_status clinfer_tensor_decode_onnx(const void *data, size_t size,
                                                      clinfer_tensor *out);

/* Frees the name and data of a tensor filled by clinfer (not the struct);
 * zeroes it. NULL is a no-op. */
CLINFER_API void clinfer_tensor_release(clinfer_tensor *tensor);

/* The shape of one graph input, by name (for ONNX loads and sessions). */
typedef struct clinfer_input_shape {
    const char *name;
    clinfer_shape shape;
} clinfer_input_shape;

typedef struct clinfer_onnx_options {
    /* Values known at load time for graph inputs, matched by name (borrowed
     * during the call). An input that a node needs as a constant
     * (convolution weights and bias, BatchNormalization statistics, the
     * shape of Reshape, the pads of Pad, Clip bounds, Slice bounds, axes)
     * is replaced by its value and becomes a constant; so is an int64 input.
     * Every other input stays an input. A symbolic dimension other than the
     * first takes the size of the given value. */
    const clinfer_tensor *input_values;
    size_t input_value_count;
    /* Shapes of graph inputs, matched by name (borrowed during the call):
     * each symbolic dimension (dim_param, -1 or missing) takes the size
     * given, except a symbolic first dimension, which stays the batch (a
     * session's); a fixed dimension must equal the size given. The graph is
     * then built, its shape arithmetic folded, for those sizes. */
    const clinfer_input_shape *input_shapes;
    size_t input_shape_count;
} clinfer_onnx_options;

/* No input values. */
CLINFER_API clinfer_onnx_options clinfer_onnx_options_default(void);

/* clinfer_graph_load_onnx_memory with options (NULL: the defaults). */
CLINFER_API clinfer_status clinfer_graph_load_onnx_with(const void *data, size_t size,
                                                        const clinfer_onnx_options *options,
                                                        clinfer_graph **out);

/* What an ONNX model holds, for `clinfer info`: read without stopping at the
 * first problem, so `issues` lists every node that cannot be imported (op,
 * node name and reason) and graph-level problems (dangling names, cycles).
 * Shapes: declared ones, or inferred ones when the model imports; an open
 * or unknown dimension is CLINFER_BATCH_DIM. */
typedef struct clinfer_onnx_io {
    char *name;
    int32_t elem_type; /* ONNX TensorProto.DataType (1: float) */
    clinfer_shape shape;
    int shape_known; /* 0: the model declares no shape (shape.rank is then 0) */
} clinfer_onnx_io;

/* Name of an ONNX TensorProto.DataType ("float", "int64", "bfloat16",
 * "float8e4m3fn", ...; "unknown" past the last one clinfer knows). */
CLINFER_API const char *clinfer_onnx_type_name(int32_t elem_type);

typedef struct clinfer_onnx_op_stat {
    char *op_type;   /* "Conv"; "domain:op" outside the default domain */
    int32_t count;   /* nodes of this op type */
    int32_t failing; /* how many of them cannot be imported */
    int32_t unchecked; /* how many were not checked (CLINFER_ONNX_ISSUE_NOT_CHECKED) */
} clinfer_onnx_op_stat;

/* Why a node cannot be run. A node after one that cannot be run is still
 * checked, with that node's output taken to have its declared shape (the
 * model's value_info or graph outputs) or, for an element-wise op, its
 * input's shape; only when neither is known is it NOT_CHECKED. */
typedef enum clinfer_onnx_issue_kind {
    CLINFER_ONNX_ISSUE_MODEL = 0,    /* graph-level: a graph input, names, cycles */
    CLINFER_ONNX_ISSUE_UNKNOWN_OP,   /* an operator (or domain) clinfer does not have */
    CLINFER_ONNX_ISSUE_UNSUPPORTED,  /* a known op with an attribute value, input or shape
                                        clinfer cannot run */
    CLINFER_ONNX_ISSUE_OPSET,        /* the op's form at the model's opset */
    CLINFER_ONNX_ISSUE_NOT_CHECKED   /* an input comes from a node that cannot be run and
                                        whose output shape is unknown */
} clinfer_onnx_issue_kind;

typedef struct clinfer_onnx_issue {
    char *op_type; /* empty for graph-level problems */
    char *node;    /* node name (or "#index" when unnamed); empty if none */
    char *message; /* "node \"name\" (Op): reason" */
    clinfer_onnx_issue_kind kind;
    char *reason;  /* the message without its node prefix */
} clinfer_onnx_issue;

/* "unknown_op", "unsupported", "opset", "not_checked", "model". */
CLINFER_API const char *clinfer_onnx_issue_kind_name(clinfer_onnx_issue_kind kind);

typedef struct clinfer_onnx_info {
    int64_t ir_version;
    int64_t opset;    /* default domain; 0 when not imported */
    char *producer;   /* "name version" */
    size_t input_count, output_count, op_count, issue_count;
    clinfer_onnx_io *inputs;  /* graph inputs that are not initializers */
    clinfer_onnx_io *outputs;
    clinfer_onnx_op_stat *ops; /* most frequent first */
    clinfer_onnx_issue *issues;
    size_t node_count, initializer_count;
    uint64_t parameter_count; /* elements of all initializers */
    int imports;              /* 1: clinfer_graph_load_onnx would succeed */
} clinfer_onnx_info;

/* Fails only when the bytes are not an ONNX model at all (malformed
 * protobuf, no graph); everything else is reported in the info. */
CLINFER_API clinfer_status clinfer_onnx_inspect(const void *data, size_t size,
                                                clinfer_onnx_info **out);
CLINFER_API void clinfer_onnx_info_free(clinfer_onnx_info *info);

/* ================================================================ sessions */

/* Which in-order command queue a session enqueues its work on. */
typedef enum clinfer_queue_mode {
    /* CLINFER_QUEUE_RUNTIME for a runtime created on the caller's queue
     * (clinfer_runtime_create_from_cl with a queue), else CLINFER_QUEUE_OWN. */
    CLINFER_QUEUE_AUTO = 0,
    /* A queue of the session's own, on the runtime's context and device:
     * sessions never wait for each other, and reading an output waits only
     * for this session's work. */
    CLINFER_QUEUE_OWN = 1,
    /* The runtime's queue, shared with every session that chooses it and
     * with the caller's own commands when it is the caller's queue: work is
     * ordered with theirs, and reading an output also waits for all work
     * enqueued on that queue before it. */
    CLINFER_QUEUE_RUNTIME = 2
} clinfer_queue_mode;

typedef struct clinfer_session_options {
    int64_t batch; /* replaces CLINFER_BATCH_DIM in the inputs; >= 1 */
    int profile;   /* record per-node device timings (waits at the end of each run);
                      needs a queue with profiling: always so for CLINFER_QUEUE_OWN */
    clinfer_queue_mode queue;
    /* The shapes of inputs, by name (borrowed during the call; count 0:
     * the model's own shapes at `batch`). The first dimension of an input
     * whose batch is open sets the batch (and `batch` is not used). Any
     * other size may differ from the model's own for a model loaded from
     * ONNX (clinfer_model_load): the graph is then built and compiled for
     * those sizes once, as a variant of the model that later sessions of
     * the same sizes share; a model whose inputs have symbolic sizes needs
     * them. A shape that contradicts the model (a fixed size, the rank, a
     * Reshape that cannot hold) fails here with a message naming the input
     * or the node. */
    const clinfer_input_shape *input_shapes;
    size_t input_shape_count;
} clinfer_session_options;

/* Batch 1, no profiling, CLINFER_QUEUE_AUTO. */
CLINFER_API clinfer_session_options clinfer_session_options_default(void);

/* Infers every shape for the batch size, plans device memory for the
 * intermediate tensors (one arena, reused by liveness), prepares every
 * kernel and takes its command queue (see clinfer_queue_mode). The session
 * borrows the model. Use one session per thread. */
CLINFER_API clinfer_status clinfer_session_create(clinfer_model *model,
                                                  const clinfer_session_options *options,
                                                  clinfer_session **out);
/* Waits for the session's queue, then releases what the session holds. */
CLINFER_API void clinfer_session_free(clinfer_session *session);
/* The last error message recorded on this session ("" if none). */
CLINFER_API const char *clinfer_session_errmsg(const clinfer_session *session);

CLINFER_API clinfer_status clinfer_session_input_shape(const clinfer_session *s, size_t index,
                                                       clinfer_shape *out);
CLINFER_API clinfer_status clinfer_session_output_shape(const clinfer_session *s, size_t index,
                                                        clinfer_shape *out);
/* clinfer_model_input_index (output_index) for the session's model: the
 * index the session's other calls take, by name; errors also recorded on
 * the session (clinfer_session_errmsg). */
CLINFER_API clinfer_status clinfer_session_input_index(const clinfer_session *s, const char *name,
                                                       size_t *index);
CLINFER_API clinfer_status clinfer_session_output_index(const clinfer_session *s,
                                                        const char *name, size_t *index);

/* Uploads input `index` (count must equal its element count; a NULL data
 * pointer is CLINFER_ERR_INVALID_ARGUMENT unless count is 0). One blocking
 * host-to-device copy. Set every input before each run: the memory plan
 * may give an input's device memory to later layers once they no longer
 * need it, and then a run without setting it again fails with
 * CLINFER_ERR_INVALID_ARGUMENT and a message saying so (an input bound to a
 * caller's buffer, clinfer_cl.h, is read from that buffer on every run).
 * Replaces such a binding. */
CLINFER_API clinfer_status clinfer_session_set_input(clinfer_session *s, size_t index,
                                                     const float *data, size_t count);

/* Enqueues every node on the session's in-order queue, without waiting for
 * the device between layers, and returns (with the profile option: after
 * the device has finished). clinfer_session_run_async (clinfer_cl.h) also
 * takes a wait list and returns a completion event. */
CLINFER_API clinfer_status clinfer_session_run(clinfer_session *s);

/* How the session's last run reached the device: a launch per kernel; one
 * launch for the whole network (a small network on a CPU, CLINFER_CHAIN);
 * or the kernels recorded once in an OpenCL command buffer and replayed
 * with one call (cl_khr_command_buffer, on devices that are not CPUs, or
 * wherever CLINFER_REPLAY=on; never in profiled sessions, whose runs time
 * each kernel). NONE before the first run. */
typedef enum clinfer_run_mode {
    CLINFER_RUN_NONE = 0,
    CLINFER_RUN_LAUNCHES = 1,
    CLINFER_RUN_CHAIN = 2,
    CLINFER_RUN_REPLAY = 3
} clinfer_run_mode;
CLINFER_API clinfer_run_mode clinfer_session_run_mode(const clinfer_session *s);

/* "none", "launches", "chain", "replay" ("unknown" for other values). */
CLINFER_API const char *clinfer_run_mode_name(clinfer_run_mode mode);

/* Waits for the run and downloads output `index` (count must equal its
 * element count; a NULL data pointer is CLINFER_ERR_INVALID_ARGUMENT unless
 * count is 0). One blocking device-to-host copy on the session's queue:
 * it waits for everything enqueued on that queue before it (with
 * CLINFER_QUEUE_RUNTIME, other sessions' work too). */
CLINFER_API clinfer_status clinfer_session_get_output(clinfer_session *s, size_t index,
                                                      float *data, size_t count);

/* Inputs and outputs in the caller's element type: `dtype` is
 * CLINFER_DTYPE_FLOAT32, _FLOAT16 (IEEE half, as uint16_t bits), _INT64 or
 * _UINT8, whatever type the model declares (it computes in float32 or, in
 * an fp16 runtime, stores half). `bytes` must be the tensor's element
 * count times the type's size, else CLINFER_ERR_SHAPE; another dtype or a
 * NULL data pointer (unless bytes is 0) is CLINFER_ERR_INVALID_ARGUMENT.
 * The caller's bytes are copied to or from the device as they are and
 * converted there (a uint8 image moves a quarter of its floats' bytes;
 * float16 in an fp16 runtime is not converted at all; float32 into or out
 * of half storage is rounded on the host, as by set_input/get_output).
 * Into an integer type a value is rounded to the nearest integer (ties to
 * even) and saturated to the type's range, NaN becoming 0; into float16
 * rounded to nearest even. Otherwise as clinfer_session_set_input and
 * clinfer_session_get_output (one blocking copy each; the conversion is
 * enqueued on the session's queue). */
CLINFER_API clinfer_status clinfer_session_set_input_typed(clinfer_session *s, size_t index,
                                                           clinfer_dtype dtype, const void *data,
                                                           size_t bytes);
CLINFER_API clinfer_status clinfer_session_get_output_typed(clinfer_session *s, size_t index,
                                                            clinfer_dtype dtype, void *data,
                                                            size_t bytes);

/* Memory the session planned: the activation arena actually allocated, and
 * what the intermediate tensors would take without reuse. */
typedef struct clinfer_memory_stats {
    uint64_t activation_bytes;         /* arena size allocated on the device */
    uint64_t activation_bytes_unshared; /* sum of all planned tensors */
    uint64_t weight_bytes;
} clinfer_memory_stats;
CLINFER_API clinfer_memory_stats clinfer_session_memory(const clinfer_session *s);

/* Copies made by this session since it was created: host<->device, and
 * device-to-device copies to and from caller buffers that could not be
 * bound without a copy (clinfer_cl.h). */
typedef struct clinfer_transfer_stats {
    uint64_t uploads, downloads;
    uint64_t upload_bytes, download_bytes;
    uint64_t device_copies, device_copy_bytes;
} clinfer_transfer_stats;
CLINFER_API clinfer_transfer_stats clinfer_session_transfers(const clinfer_session *s);

/* Per-node device timings of the last run (profile option on). */
typedef struct clinfer_node_profile {
    const char *node;   /* node name */
    const char *op;     /* operation, e.g. "conv2d" */
    const char *kernel; /* kernel (variant) name */
    clinfer_shape output_shape;
    double ms;          /* device time of the node's kernels */
    double flops;       /* floating-point operations, 0 where not counted */
} clinfer_node_profile;

/* The profile of the last run: *count entries in execution order, valid
 * until the next run or clinfer_session_free. NULL if profiling is off. */
CLINFER_API const clinfer_node_profile *clinfer_session_profile(const clinfer_session *s,
                                                                size_t *count);

/* Where the device time of the last run (profile option on) went, from its
 * kernels' events: the span from the first kernel's start to the last
 * one's end is their own time plus the idle time between them, which is
 * what each launch costs beyond its work (on PoCL 3.1 with two threads,
 * 2-10 us per boundary). */
typedef struct clinfer_run_timeline {
    int32_t launches;   /* kernels the run enqueued */
    double span_ms;     /* the first kernel's start to the last kernel's end */
    double kernel_ms;   /* the kernels' own times, summed */
    double idle_ms;     /* between one kernel's end and the next one's start, summed */
    double max_idle_ms; /* the longest of those gaps */
    double lead_ms;     /* the first kernel's enqueueing to its start: the input
                           writes before it and the device's wake-up */
} clinfer_run_timeline;

/* The timeline of the last run into *out. CLINFER_ERR_INVALID_ARGUMENT
 * when the session was made without the profile option or has not run. */
CLINFER_API clinfer_status clinfer_session_timeline(const clinfer_session *s,
                                                    clinfer_run_timeline *out);

/* One node's output, shown to a clinfer_node_observer during
 * clinfer_session_run_observed. Every pointer is valid only during the
 * call. */
typedef struct clinfer_node_output {
    size_t index;       /* the node's place in the run, as in clinfer_session_profile */
    const char *node;   /* node name */
    const char *op;     /* operation, e.g. "conv2d" */
    const char *kernel; /* kernel (variant) that computes the output, as in the profile */
    const char *value;  /* the name of the value it computes */
    clinfer_shape shape;
    float *data;        /* its `count` elements, row-major (a host copy); NULL when count is 0 */
    size_t count;
} clinfer_node_output;

/* What a clinfer_node_observer returns. */
typedef enum clinfer_observe_action {
    CLINFER_OBSERVE_CONTINUE = 0,
    /* The observer wrote new values into output->data: they replace the
     * node's output on the device, and later nodes read them (for checking
     * each node alone on a reference's inputs). */
    CLINFER_OBSERVE_REPLACE = 1
} clinfer_observe_action;

/* Called once per node, in run order, after the node has run; returns a
 * clinfer_observe_action (any other value fails the run). */
typedef int (*clinfer_node_observer)(void *user_data, clinfer_node_output *output);

/* Runs like clinfer_session_run (same inputs, same outputs afterwards, same
 * kernels and memory plan), but waits for the device after every node and
 * downloads the node's output for `observe`, before a later node can reuse
 * its memory: for checking a model node by node (`clinfer verify`), not
 * for speed; clinfer_session_run is not slowed by it. The nodes are those
 * the model runs after its optimisations: a fused activation or residual
 * Add is part of the node that absorbed it (that node's output is the
 * fused result), and views (Reshape, Flatten, Identity) are not reported.
 * The downloads (and the uploads of replaced outputs) count in
 * clinfer_session_transfers. */
CLINFER_API clinfer_status clinfer_session_run_observed(clinfer_session *s,
                                                        clinfer_node_observer observe,
                                                        void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* CLINFER_H */
