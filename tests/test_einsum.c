/*
 * test_einsum.c — ONNX Einsum beyond plain matrix products, loaded from
 * models the test writes and compared with a naive reference
 * (tests/ref_einsum.c): several row, column and summed letters (merged by
 * reshapes), matrix-vector and outer products, letters summed in one
 * operand alone, one-operand sums and permutations, diagonals and traces,
 * implicit outputs, ellipses that broadcast, three operands, an open
 * batch size; and the forms refused by name.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "onnx_writer.h"
#include "ref_einsum.h"
#include "testutil.h"

#define MAX_OPS 3

typedef struct einsum_case {
    const char *eq;           /* as the model writes it */
    const char *ref[MAX_OPS]; /* the same terms spelled out for the reference */
    const char *ref_out;
    int n;
    clinfer_shape shapes[MAX_OPS];
} einsum_case;

/* Operands "x0".. of the given shapes (dims < 0: symbolic) -> Einsum -> y. */
static uint8_t *einsum_model(const char *eq, int n, const clinfer_shape *shapes, size_t *size)
{
    onnx_graph g = {{0}};
    char inputs[32] = "";
    for (int k = 0; k < n; k++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", k);
        pb t = onnx_value_info(name, OT_FLOAT, shapes[k].rank, shapes[k].dims);
        onnx_input(&g, &t);
        strcat(inputs, k ? "," : "");
        strcat(inputs, name);
    }
    pb e = onnx_attr_string("equation", eq);
    onnx_node(&g, "Einsum", "einsum", inputs, "y", 1, &e);
    pb t = onnx_value_info("y", OT_FLOAT, -1, NULL);
    onnx_output(&g, &t);
    return onnx_model(&g, 12, size);
}

/* Runs case t at batch `batch` (its symbolic dims take that size). */
static void check_einsum(const einsum_case *t, int64_t batch, uint32_t seed)
{
    clinfer_shape concrete[MAX_OPS];
    float *x[MAX_OPS];
    size_t counts[MAX_OPS];
    for (int k = 0; k < t->n; k++) {
        concrete[k] = t->shapes[k];
        for (int32_t d = 0; d < concrete[k].rank; d++)
            if (concrete[k].dims[d] < 0)
                concrete[k].dims[d] = batch;
        counts[k] = ref_numel(&concrete[k]);
        x[k] = test_alloc(counts[k] * sizeof *x[k]);
        fill_uniform(x[k], counts[k], -1, 1, &seed);
    }
    size_t ny = 1; /* each output letter's size: its largest over the operands */
    for (const char *p = t->ref_out; *p; p++) {
        int64_t dim = 1;
        for (int k = 0; k < t->n; k++)
            if (strchr(t->ref[k], *p) && concrete[k].dims[strchr(t->ref[k], *p) - t->ref[k]] > dim)
                dim = concrete[k].dims[strchr(t->ref[k], *p) - t->ref[k]];
        ny *= (size_t)dim;
    }
    float *y = test_alloc(ny * sizeof *y), *want = test_alloc(ny * sizeof *want);
    ref_einsum(t->n, t->ref, concrete, (const float *const *)x, t->ref_out, want);
    size_t size;
    uint8_t *model = einsum_model(t->eq, t->n, t->shapes, &size);
    test_onnx_run_batch(model, size, batch, (const float *const *)x, counts, t->n, y, ny);
    char what[128];
    snprintf(what, sizeof what, "einsum \"%s\" at batch %lld", t->eq, (long long)batch);
    assert_close(y, want, ny, 1e-5f, 1e-4f, what);
    for (int k = 0; k < t->n; k++)
        free(x[k]);
    free(y);
    free(want);
    free(model);
}

#define SHP(r, ...) ((clinfer_shape){r, {__VA_ARGS__}})
#define S(r, ...) {r, {__VA_ARGS__}} /* the same in static tables */

Test(einsum, contractions_beyond_matrix_products)
{
    static const einsum_case cases[] = {
        {"ij,jk->i", {"ij", "jk"}, "i", 2, {S(2, 3, 4), S(2, 4, 5)}},
        {"bchw,kc->bkhw", {"bchw", "kc"}, "bkhw", 2, {S(4, 2, 3, 4, 5), S(2, 6, 3)}},
        {"abcd,cdef->abef", {"abcd", "cdef"}, "abef", 2, {S(4, 2, 3, 4, 5), S(4, 4, 5, 3, 2)}},
        {"bij,bj->bi", {"bij", "bj"}, "bi", 2, {S(3, 2, 3, 7), S(2, 2, 7)}},
        {"i,j->ij", {"i", "j"}, "ij", 2, {S(1, 3), S(1, 5)}},
        {"i,i->", {"i", "i"}, "", 2, {S(1, 7), S(1, 7)}},
        {"ij,jk,kl->il", {"ij", "jk", "kl"}, "il", 3, {S(2, 2, 3), S(2, 3, 4), S(2, 4, 5)}},
        {"bi,bj,bk->bkji", {"bi", "bj", "bk"}, "bkji", 3, {S(2, 2, 3), S(2, 2, 4), S(2, 2, 5)}},
        {"ijk->kj", {"ijk"}, "kj", 1, {S(3, 2, 3, 5)}},
        {"ij->", {"ij"}, "", 1, {S(2, 3, 4)}},
        {"ba", {"ba"}, "ab", 1, {S(2, 3, 5)}},      /* implicit: transposed */
        {"ij,jk", {"ij", "jk"}, "ik", 2, {S(2, 3, 4), S(2, 4, 5)}},
        {"kj, ji", {"kj", "ji"}, "ik", 2, {S(2, 5, 4), S(2, 4, 3)}},
        {"...ij,...jk->...ik", {"xij", "jk"}, "xik", 2, {S(3, 2, 3, 4), S(2, 4, 5)}},
        {"...ij,...jk->...ik", {"xyij", "yjk"}, "xyik", 2,
         {S(4, 2, 1, 3, 4), S(3, 3, 4, 5)}}, /* a dim of 1 broadcast */
        {"b...,b...->b", {"bxy", "bxy"}, "b", 2, {S(3, 2, 3, 4), S(3, 2, 3, 4)}},
        {"i...->...", {"ixy"}, "xy", 1, {S(3, 3, 2, 4)}},
        {"ii->i", {"ii"}, "i", 1, {S(2, 4, 4)}},             /* diagonal */
        {"ii", {"ii"}, "", 1, {S(2, 5, 5)}},                 /* trace, implicit */
        {"...ii->...i", {"xii"}, "xi", 1, {S(3, 2, 3, 3)}},  /* batched diagonal */
        {"iji,jk->ik", {"iji", "jk"}, "ik", 2, {S(3, 3, 4, 3), S(2, 4, 5)}},
        {"iijj->", {"iijj"}, "", 1, {S(4, 2, 2, 3, 3)}},     /* two diagonals */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_einsum(&cases[k], 1, 60u + (uint32_t)k);
}

Test(einsum, open_batch_size)
{
    /* the batch as a batch letter, as the lone row letter of a linear
     * layer, and summed alone (each a dim that reshapes copy) */
    static const einsum_case cases[] = {
        {"bij,bjk->bik", {"bij", "bjk"}, "bik", 2, {S(3, -1, 3, 4), S(3, -1, 4, 5)}},
        {"nc,kc->nk", {"nc", "kc"}, "nk", 2, {S(2, -1, 6), S(2, 5, 6)}},
        {"nc,nk->ck", {"nc", "nk"}, "ck", 2, {S(2, -1, 3), S(2, -1, 4)}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        check_einsum(&cases[k], 1, 80u + (uint32_t)k);
        check_einsum(&cases[k], 3, 90u + (uint32_t)k);
    }
}

/* Loading fails with `needle` in a message naming the node. */
static void expect_refused(const char *eq, int n, const clinfer_shape *shapes, const char *needle)
{
    size_t size;
    uint8_t *model = einsum_model(eq, n, shapes, &size);
    clinfer_graph *g = NULL;
    cr_assert_neq(clinfer_graph_load_onnx_memory(model, size, &g), CLINFER_OK, "%s", eq);
    cr_assert(strstr(clinfer_last_errmsg(), "\"einsum\"") &&
                  strstr(clinfer_last_errmsg(), needle),
              "%s: message '%s' lacks the node or '%s'", eq, clinfer_last_errmsg(), needle);
    free(model);
}

Test(einsum, refusals_name_the_reason)
{
    const clinfer_shape sq[2] = {SHP(2, 3, 3), SHP(2, 3, 3)};
    expect_refused("ij->ii", 1, sq, "letter 'i' twice in the output");
    expect_refused("ij,jk->ik", 2, (clinfer_shape[]){SHP(1, 3), SHP(2, 3, 4)},
                   "term 0 names 2 dims, operand 0 has rank 1");
    expect_refused("ij,jk->ik", 2, (clinfer_shape[]){SHP(2, 3, 4), SHP(2, 5, 6)},
                   "letter 'j' has size 5 in operand 1 and 4 before");
    expect_refused("ij,jk->iz", 2, sq, "output letter 'z' is in no operand");
    expect_refused("ij,jk,kl->il", 2, sq, "more terms than the 2 operands");
    expect_refused("ij->ij", 2, sq, "does not have 2 input terms");
    expect_refused("i1,jk->ik", 2, sq, "term 0 is not letters");
    /* the open batch summed together with another letter: one merged dim */
    expect_refused("nc,nc->", 2, (clinfer_shape[]){SHP(2, -1, 3), SHP(2, -1, 3)},
                   "open batch dimension would be merged");
}
