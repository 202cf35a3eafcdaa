/*
 * gemm_pack.c — gemm_pack.cl's packed layouts (gemm_pack_a's row panels,
 * gemm_pack_b's and gemm_pack_bt's column panels) written on the host,
 * from the host copy of a constant.
 *
 * Why: a session packs its constant weights once. Packed by kernel, a cold
 * start on PoCL first builds the packing program and generates code for
 * its kernels (about 0.3 s of a 3 s ResNet-18 cold start on a 2-core
 * EPYC); on the host it is a copy loop over the weights. Non-constant
 * operands are still packed by the kernels, on every run.
 */
#include "gemm.h"

/* Offset of batch z over the dims d (innermost first) with strides s, as
 * gemm.cl's batch_offset decomposes it. */
static int64_t batch_at(int64_t z, int32_t nbatch, const int64_t *d, const int64_t *s)
{
    int64_t off = 0;
    for (int32_t i = 0; i < nbatch; i++) {
        off += z % d[i] * s[i];
        z /= d[i];
    }
    return off;
}

void gemm_pack_a_host(const gemm_config *cfg, int32_t m, int32_t k, int64_t a_rs, int64_t a_ks,
                      int32_t nbatch, const int64_t *bd, const int64_t *as, size_t batch,
                      const float *src, float *dst)
{
    const int32_t tm = cfg->tm > 0 ? cfg->tm : 1, panels = (m + tm - 1) / tm;
    for (size_t z = 0; z < batch; z++) {
        const float *a = src + batch_at((int64_t)z, nbatch, bd, as);
        for (int32_t p = 0; p < panels; p++)
            for (int32_t kk = 0; kk < k; kk++, dst += tm)
                for (int32_t i = 0; i < tm; i++) {
                    const int64_t row = (int64_t)p * tm + i;
                    dst[i] = row < m ? a[row * a_rs + kk * a_ks] : 0.0f;
                }
    }
}

/* One panel of columns n0 .. n0 + tw - 1 of B' [k, n] into dst [k, tw],
 * zero past n. A transposed B' (k contiguous) is read 16 k at a time per
 * column, so that the reads run along memory and the writes stay within
 * 16 rows of the panel. */
static void pack_b_panel(const float *b, int32_t n, int32_t k, int64_t b_ks, int64_t b_ns,
                         int32_t n0, int32_t tw, float *dst)
{
    const int32_t step = b_ks == 1 ? 16 : 1;
    for (int32_t k0 = 0; k0 < k; k0 += step) {
        const int32_t rows = k - k0 < step ? k - k0 : step;
        for (int32_t j = 0; j < tw; j++) {
            const int64_t col = (int64_t)n0 + j;
            for (int32_t r = 0; r < rows; r++)
                dst[(int64_t)(k0 + r) * tw + j] =
                    col < n ? b[(int64_t)(k0 + r) * b_ks + col * b_ns] : 0.0f;
        }
    }
}

void gemm_operand_pack_host(const gemm_config *cfg, const gemm_operand_packing *p,
                            const float *src, float *dst)
{
    if (p->b)
        gemm_pack_b_host(cfg, p->lines, p->k, p->k_stride, p->line_stride, p->nbatch, p->bd,
                         p->bs, p->batch, src, dst);
    else
        gemm_pack_a_host(cfg, p->lines, p->k, p->line_stride, p->k_stride, p->nbatch, p->bd,
                         p->bs, p->batch, src, dst);
}

void gemm_pack_b_host(const gemm_config *cfg, int32_t n, int32_t k, int64_t b_ks, int64_t b_ns,
                      int32_t nbatch, const int64_t *bd, const int64_t *bs, size_t batch,
                      const float *src, float *dst)
{
    const int32_t tw = gemm_panel_width(cfg), panels = (n + tw - 1) / tw;
    for (size_t z = 0; z < batch; z++) {
        const float *b = src + batch_at((int64_t)z, nbatch, bd, bs);
        for (int32_t p = 0; p < panels; p++, dst += (int64_t)k * tw)
            pack_b_panel(b, n, k, b_ks, b_ns, p * tw, tw, dst);
    }
}
