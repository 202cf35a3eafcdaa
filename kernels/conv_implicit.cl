/*
 * conv_implicit.cl - 2-D convolution (NCHW) on GPU-class devices as an
 * implicit GEMM: gemm_local's tiles (gemm_local.cl) with the B' operand
 * gathered straight from the input image, so that no im2col matrix is
 * written to scratch and read back. Not a program of its own:
 * host/program_cache.c builds it after gemm.cl and gemm_local.cl into the
 * "gemm" program, and the host builds it with -DGEMM_KERNELS=GEMM_IMPLICIT
 * or GEMM_IMPLICIT_SPLIT (GEMM_CONV_GATHER: gemm_local_tile then reads B'
 * through the gathers below); gemm.cl's argument list, epilogue and tile
 * tunables apply.
 *
 * conv_implicit: for batch z = image * groups + group of the launch,
 *   Y[z] [M = OC / groups, N = OH * OW] = act(A'[z] B'[z] + bias + R[z])
 * A' = the group's weights [OC / groups, K] read in place (a_rs = K,
 *   a_ks = 1), K = C / groups * KH * KW;
 * B'(k, n), k = (c, kh, kw), n = (oh, ow): the input X[c][ih][iw] of the
 *   image's group at ih = oh * SH - PT + kh * DH, iw = ow * SW - PL + kw *
 *   DW, zero outside the image (padding); B and bs point at the image's
 *   group (bs: its channels, then its image).
 * A work-group of (TSN / WPTN, TSM / WPTM) items computes a TSM x TSN tile
 * of Y[z] as gemm_local does (same tunables, same local memory, same
 * GEMM_PREFETCH); only the B' loads differ. conv_implicit_split is
 * gemm_local_split alike (split K for products of few tiles).
 */
#if GEMM_CONV_GATHER

/* The geometry of the gathers (the kernel's arguments below). */
struct conv_window {
    int h, w;     /* input plane */
    int kw, khw;  /* window width and area */
    int sh, sw;   /* strides */
    int pt, pl;   /* top and left padding */
    int dh, dw;   /* dilations */
    int ow;       /* output width */
};

/* X(c, ih, iw) of one group's channels, zero outside the plane. */
inline float conv_window_at(__global const store_t *x, const conv_window *win, int c, int ih,
                            int iw)
{
    return (uint)ih < (uint)win->h && (uint)iw < (uint)win->w
               ? LD(x, ((long)c * win->h + ih) * win->w + iw)
               : 0.0f;
}

/* Row k = (c, kh, kw) of B': the channel, and the offsets of the window's
 * tap from the output position scaled by the strides. */
inline int conv_window_tap(const conv_window *win, int k, int *ih0, int *iw0)
{
    const int c = k / win->khw, r = k - c * win->khw, i = r / win->kw, j = r - i * win->kw;
    *ih0 = i * win->dh - win->pt;
    *iw0 = j * win->dw - win->pl;
    return c;
}

/* B'(k, n), zero past N or k_end: the non-prefetching tile loop's load. */
float conv_gather_one(__global const store_t *x, const conv_window *win, int N, int k_end, int n,
                      int k)
{
    if (n >= N || k >= k_end)
        return 0.0f;
    int ih0, iw0;
    const int c = conv_window_tap(win, k, &ih0, &iw0), oh = n / win->ow, ow = n - oh * win->ow;
    return conv_window_at(x, win, c, oh * win->sh + ih0, ow * win->sw + iw0);
}

/* The tap's value at output position (*oh, *ow) (zero unless `valid`),
 * then the next position: one step along the row, wrapping to the next
 * row, so that a group's positions cost one division, not four. */
inline float conv_window_next(__global const store_t *x, const conv_window *win, int c, int ih0,
                              int iw0, int *oh, int *ow, int valid)
{
    const float v = valid ? conv_window_at(x, win, c, *oh * win->sh + ih0, *ow * win->sw + iw0)
                          : 0.0f;
    if (++*ow == win->ow)
        *ow = 0, ++*oh;
    return v;
}

/* Group e4 of B' step k0 as load_b_group lays it (b_ns == 1): 4 values of
 * one k along n, which may cross an output row. Written out lane by lane
 * rather than as a loop over a private array, which NVIDIA's compiler may
 * keep in (slow) local memory. */
float4 conv_gather_group(__global const store_t *x, const conv_window *win, int N, int k_end,
                         int n_base, int k0, int e4)
{
    const int n = n_base + e4 % (TSN / 4) * 4, k = k0 + e4 / (TSN / 4);
    if (k >= k_end)
        return (float4)(0.0f);
    int ih0, iw0;
    const int c = conv_window_tap(win, k, &ih0, &iw0);
    int oh = n / win->ow, ow = n - oh * win->ow;
    float4 v;
    v.s0 = conv_window_next(x, win, c, ih0, iw0, &oh, &ow, n < N);
    v.s1 = conv_window_next(x, win, c, ih0, iw0, &oh, &ow, n + 1 < N);
    v.s2 = conv_window_next(x, win, c, ih0, iw0, &oh, &ow, n + 2 < N);
    v.s3 = conv_window_next(x, win, c, ih0, iw0, &oh, &ow, n + 3 < N);
    return v;
}

/* The window as kernel arguments, after the GEMM's, and as a conv_window. */
#define CONV_WINDOW_ARGS                                                                        \
    int H, int W, int KH, int KW, int SH, int SW, int PT, int PL, int DH, int DW, int OW
#define CONV_WINDOW_OF_ARGS {H, W, KW, KH * KW, SH, SW, PT, PL, DH, DW, OW}

#if GEMM_KERNELS == GEMM_IMPLICIT
/* Item (x, y) of work-group (tile n, tile m, z): its WPTM x WPTN outputs
 * of the tile, as gemm_local. B_off and bs place B at batch bz0 + z's
 * image and group. */
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
conv_implicit(GEMM_PRODUCT_ARGS, CONV_WINDOW_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    __local tile4_t Asub4[LOCAL_BUFS * TSK * LROW_A / 4];
    __local tile4_t Bsub4[LOCAL_BUFS * TSK * LROW_B / 4];
    const conv_window win = CONV_WINDOW_OF_ARGS;
    const long z = get_global_id(2), za = z0 + z;
    float acc[WPTM][WPTN];
    gemm_local_tile(A + batch_offset(za, bd, as), B + batch_offset(bz0 + z, bd, bs), M, N, K,
                    a_rs, a_ks, b_ks, b_ns, 0, K, Asub4, Bsub4, acc, &win);
    GEMM_LOCAL_STORE(acc, za);
}
#endif

#if GEMM_KERNELS == GEMM_IMPLICIT_SPLIT
/* Split K, as gemm_local_split (a set of its own, as that kernel's: each
 * kernel's local tiles count against the program's on some devices, and
 * a layer uses one of the two): item z of the launch's third dimension
 * computes split z % splits of batch z / splits and stores its raw sums to
 * P; the host adds them with the GEMM_SPLIT program's gemm_split_reduce,
 * which reads neither A nor B. */
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
conv_implicit_split(GEMM_SPLIT_ARGS, CONV_WINDOW_ARGS)
{
    GEMM_PRODUCT_AT_OFFSETS();
    P += P_off;
    __local tile4_t Asub4[LOCAL_BUFS * TSK * LROW_A / 4];
    __local tile4_t Bsub4[LOCAL_BUFS * TSK * LROW_B / 4];
    const conv_window win = CONV_WINDOW_OF_ARGS;
    const long zs = get_global_id(2), z = zs / splits;
    const int s = (int)(zs % splits);
    const int k_begin = s * k_step, k_end = min(K, k_begin + k_step);
    float acc[WPTM][WPTN];
    gemm_local_tile(A + batch_offset(z0 + z, bd, as), B + batch_offset(bz0 + z, bd, bs), M, N,
                    K, a_rs, a_ks, b_ks, b_ns, k_begin, k_end, Asub4, Bsub4, acc, &win);
    gemm_split_store(acc, P + zs * (long)M * N, M, N);
}
#endif

#endif
