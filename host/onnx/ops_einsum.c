/*
 * ops_einsum.c — Einsum for the forms that are a batched matrix product:
 * two operands, an explicit output, and letters that fall into batch
 * (in both operands and the output), one row letter (first operand and
 * output), one column letter (second operand and output) and one summed
 * letter (both operands, not the output), in any order — e.g. attention's
 * "bhid,bhjd->bhij" and "bhij,bhjd->bhid". It becomes Transpose(A) to
 * [batch.., i, k], Transpose(B) to [batch.., k, j], MatMul, and a
 * Transpose to the output's order (each skipped when it is the identity).
 * One operand: a permutation ("ij->ji") is a Transpose. Other forms are
 * refused naming what is missing.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ops_internal.h"

#define EINSUM_MAX CLINFER_MAX_RANK

typedef struct einsum_form {
    char a[EINSUM_MAX + 1], b[EINSUM_MAX + 1], out[EINSUM_MAX + 1];
    char batch[EINSUM_MAX + 1];
    char row, col, sum;
} einsum_form;

/* Copies the letters of one term (spaces dropped); 0 on anything else. */
static int term(const char *p, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ' ')
            continue;
        if (!isalpha((unsigned char)p[i]) || k == EINSUM_MAX || strchr(out, p[i]))
            return 0; /* an ellipsis, a digit, too many, or a repeated letter */
        out[k++] = p[i];
        out[k] = 0;
    }
    return k > 0;
}

static clinfer_status parse(onnx_node *c, const char *eq, einsum_form *f)
{
    memset(f, 0, sizeof *f);
    const char *comma = strchr(eq, ','), *arrow = strstr(eq, "->");
    if (!comma || !arrow || comma > arrow || strchr(comma + 1, ',') ||
        !term(eq, (size_t)(comma - eq), f->a) ||
        !term(comma + 1, (size_t)(arrow - comma - 1), f->b) ||
        !term(arrow + 2, strlen(arrow + 2), f->out))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "equation \"%s\": clinfer runs two operands with an explicit "
                               "output and distinct letters (no \"...\", no diagonals)",
                               eq);
    int rows = 0, cols = 0, sums = 0, nb = 0;
    for (const char *l = f->a; *l; l++) {
        int in_b = strchr(f->b, *l) != NULL, in_out = strchr(f->out, *l) != NULL;
        if (in_b && in_out)
            f->batch[nb++] = *l;
        else if (in_out)
            f->row = *l, rows++;
        else if (in_b)
            f->sum = *l, sums++;
        else
            rows = -99; /* summed over one operand alone */
    }
    for (const char *l = f->b; *l; l++) {
        if (strchr(f->a, *l))
            continue;
        if (strchr(f->out, *l))
            f->col = *l, cols++;
        else
            cols = -99; /* summed over one operand alone */
    }
    for (const char *l = f->out; *l; l++)
        if (!strchr(f->a, *l) && !strchr(f->b, *l))
            cols = -99;
    if (rows != 1 || cols != 1 || sums != 1)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "equation \"%s\" is not a batched matrix product (clinfer needs "
                               "one row, one column and one summed letter; the others in both "
                               "operands and the output)",
                               eq);
    return CLINFER_OK;
}

/* perm taking term `from` to the letter order `to` (same letters). */
static int perm_to(const char *from, const char *to, int32_t *perm)
{
    int identity = 1;
    for (int32_t d = 0; to[d]; d++) {
        perm[d] = (int32_t)(strchr(from, to[d]) - from);
        identity &= perm[d] == d;
    }
    return identity;
}

/* x transposed from letter order `from` to `to` (x itself when equal). */
static clinfer_status arrange(onnx_node *c, clinfer_value x, const char *from, const char *to,
                              const char *tag, clinfer_value *out)
{
    int32_t perm[EINSUM_MAX];
    if (perm_to(from, to, perm)) {
        *out = x;
        return CLINFER_OK;
    }
    char name[512];
    snprintf(name, sizeof name, "%s:%s", onnx_node_oname(c), tag);
    return onnx_node_build(
        c, clinfer_graph_transpose(c->im->g, name, x, perm, (int32_t)strlen(to), out));
}

/* One operand whose output is a permutation of its letters: a Transpose. */
static clinfer_status permutation(onnx_node *c, const char *eq)
{
    char in[EINSUM_MAX + 1] = "", out[EINSUM_MAX + 1] = "";
    const char *arrow = strstr(eq, "->");
    if (!arrow || !term(eq, (size_t)(arrow - eq), in) ||
        !term(arrow + 2, strlen(arrow + 2), out) || strlen(in) != strlen(out) ||
        strspn(out, in) != strlen(out))
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                               "equation \"%s\": with one operand clinfer runs permutations "
                               "only (\"ij->ji\")",
                               eq);
    clinfer_value x, y;
    clinfer_status st = onnx_node_in_value(c, 0, &x);
    int32_t perm[EINSUM_MAX];
    if (st != CLINFER_OK)
        return st;
    perm_to(in, out, perm);
    return onnx_node_out_of(c,
                            clinfer_graph_transpose(c->im->g, onnx_node_oname(c), x, perm,
                                                    (int32_t)strlen(out), &y),
                            &y);
}

clinfer_status op_einsum(onnx_node *c)
{
    const char *eq = NULL;
    einsum_form f;
    clinfer_status st = onnx_node_attr_string(c, "equation", "", &eq);
    if (st == CLINFER_OK && onnx_node_input_count(c) == 1)
        return permutation(c, eq);
    if (st == CLINFER_OK && onnx_node_input_count(c) != 2)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "%d operands; clinfer runs one or two",
                             (int)onnx_node_input_count(c));
    if (st == CLINFER_OK)
        st = parse(c, eq, &f);
    clinfer_value a, b, at, bt, prod, y;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &a);
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 1, &b);
    /* batch letters + 2 <= the rank of a, so these fit (sized for the
     * compiler, which cannot know it) */
    char ta[EINSUM_MAX + 3], tb[EINSUM_MAX + 3], tp[EINSUM_MAX + 3];
    snprintf(ta, sizeof ta, "%s%c%c", f.batch, f.row, f.sum);
    snprintf(tb, sizeof tb, "%s%c%c", f.batch, f.sum, f.col);
    snprintf(tp, sizeof tp, "%s%c%c", f.batch, f.row, f.col);
    if (st == CLINFER_OK)
        st = arrange(c, a, f.a, ta, "a", &at);
    if (st == CLINFER_OK)
        st = arrange(c, b, f.b, tb, "b", &bt);
    if (st != CLINFER_OK)
        return st;
    int32_t perm[EINSUM_MAX];
    if (perm_to(tp, f.out, perm))
        return onnx_node_out_of(
            c, clinfer_graph_matmul(c->im->g, onnx_node_oname(c), at, bt, &y), &y);
    char name[512];
    snprintf(name, sizeof name, "%s:product", onnx_node_oname(c));
    st = onnx_node_build(c, clinfer_graph_matmul(c->im->g, name, at, bt, &prod));
    if (st != CLINFER_OK)
        return st;
    return onnx_node_out_of(c,
                            clinfer_graph_transpose(c->im->g, onnx_node_oname(c), prod, perm,
                                                    (int32_t)strlen(f.out), &y),
                            &y);
}
