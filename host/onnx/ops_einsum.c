/*
 * ops_einsum.c — Einsum as Transpose, ReduceSum, Reshape and MatMul nodes.
 *
 * The equation is taken apart into terms of letters: an ellipsis becomes
 * letters the equation does not use, right-aligned across the operands (a
 * shorter one lacks the leading ones, as in broadcasting); an implicit
 * output is the ellipsis then the letters seen once, in ASCII order. A
 * letter twice in one operand's term takes its diagonal first: the two
 * dims transposed to the end, merged (a view) and sliced with step n + 1.
 * The operands are then contracted left to right, two at a time. In each
 * pair, letters that one operand alone holds and nothing later needs (a
 * later operand or the output) are summed first (ReduceSum); the rest
 * fall into batch (both, needed later), rows (first only), columns
 * (second only) and summed (both, not needed). The first operand is
 * transposed to [batch, rows, summed] and reshaped to [batch.., R, K], the
 * second to [batch, summed, columns] and [batch.., K, C]; a MatMul (which
 * broadcasts batch dims of 1) and a reshape to [batch.., rows..,
 * columns..] give the pair's result. What is left sums the letters the
 * output drops and is transposed to the output's order. Steps that change
 * nothing are skipped: attention's "bhid,bhjd->bhij" is a Transpose and a
 * MatMul, "ij->ji" one Transpose.
 *
 * Refused, naming the reason: a letter twice in the output, a term whose
 * letters do not match its operand's rank, letters of one size in one
 * place and another elsewhere (other than 1), and an open batch size that
 * would have to be multiplied into a merged dim (or be a diagonal).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"

#define EINSUM_MAX CLINFER_MAX_RANK
#define EINSUM_MAX_OPERANDS 8

typedef char letters[EINSUM_MAX + 1];

/* The equation with every ellipsis spelled out. */
typedef struct einsum_eq {
    int32_t n; /* operands */
    letters in[EINSUM_MAX_OPERANDS], out;
    int64_t size[128]; /* per letter: its size (CLINFER_BATCH_DIM: open), 0 unseen */
} einsum_eq;

/* A value and the letter of each of its dims. */
typedef struct einsum_val {
    clinfer_value v;
    letters l;
} einsum_val;

static int has(const char *s, char l) { return l && strchr(s, l) != NULL; }

/* ---------------------------------------------------------------- parsing */

/* Term k of the equation's inputs, "" when k is past the last. */
static int raw_term(const char *lhs, int32_t k, char *out, size_t cap)
{
    for (; k > 0 && lhs; k--)
        lhs = strchr(lhs, ',') ? strchr(lhs, ',') + 1 : NULL;
    if (!lhs)
        return 0;
    size_t n = 0;
    for (; *lhs && *lhs != ',' && *lhs != '-'; lhs++)
        if (*lhs != ' ' && n + 1 < cap)
            out[n++] = *lhs;
    out[n] = 0;
    return 1;
}

/* Letters of `raw` with "..." replaced by `ell` (ell_n letters); 0 when
 * it holds anything but letters and one "...". */
static int expand(const char *raw, const char *ell, int32_t ell_n, char *out)
{
    const char *dots = strstr(raw, "...");
    size_t n = 0;
    for (const char *p = raw; *p; p++) {
        if (p == dots) {
            for (int32_t k = 0; k < ell_n && n < EINSUM_MAX; k++)
                out[n++] = ell[k];
            p += 2;
        } else if (!isalpha((unsigned char)*p) || n == EINSUM_MAX) {
            return 0;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = 0;
    return 1;
}

static int count_letters(const char *raw)
{
    int n = 0;
    for (; *raw; raw++)
        n += isalpha((unsigned char)*raw) != 0;
    return n;
}

/* Records the sizes of term k's letters from its operand's shape. */
static clinfer_status note_sizes(onnx_node *c, einsum_eq *e, int32_t k, const clinfer_shape *s)
{
    for (int32_t d = 0; d < s->rank; d++) {
        int64_t *have = &e->size[(unsigned char)e->in[k][d]], now = s->dims[d];
        if (*have == 0 || *have == 1 || now == *have)
            *have = now;
        else if (now != 1)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "letter '%c' has size %lld in operand %d and %lld before",
                                   e->in[k][d], (long long)now, (int)k, (long long)*have);
    }
    return CLINFER_OK;
}

/* The implicit output: the ellipsis, then the letters written once (in
 * all the terms together: "ii" is a trace), sorted. */
static void implicit_output(einsum_eq *e, const char *ell, int32_t ell_n)
{
    size_t n = 0;
    for (int32_t k = 0; k < ell_n; k++)
        e->out[n++] = ell[k];
    for (int ch = 1; ch < 128 && n < EINSUM_MAX; ch++) {
        int seen = 0;
        for (int32_t k = 0; k < e->n; k++)
            for (const char *p = e->in[k]; *p; p++)
                seen += *p == ch && !has(ell, (char)ch);
        if (seen == 1)
            e->out[n++] = (char)ch;
    }
    e->out[n] = 0;
}

/* The output's letters distinct and all from inputs. */
static clinfer_status check_terms(onnx_node *c, const einsum_eq *e, const char *eq)
{
    for (const char *p = e->out; *p; p++)
        if (strchr(p + 1, *p))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\": letter '%c' twice in the output", eq, *p);
    for (const char *p = e->out; *p; p++)
        if (e->size[(unsigned char)*p] == 0)
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\": output letter '%c' is in no operand", eq,
                                   *p);
    return CLINFER_OK;
}

static clinfer_status parse(onnx_node *c, const char *eq, einsum_eq *e)
{
    memset(e, 0, sizeof *e);
    e->n = onnx_node_input_count(c);
    if (e->n < 1 || e->n > EINSUM_MAX_OPERANDS)
        return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "%d operands (1 to %d supported)",
                               (int)e->n, EINSUM_MAX_OPERANDS);
    const char *arrow = strstr(eq, "->");
    char raw[EINSUM_MAX_OPERANDS][64];
    clinfer_shape shapes[EINSUM_MAX_OPERANDS];
    int32_t ell_n = 0, extra[EINSUM_MAX_OPERANDS];
    for (int32_t k = 0; k < e->n; k++) {
        clinfer_status st = onnx_node_in_shape(c, k, &shapes[k]);
        if (st != CLINFER_OK)
            return st;
        letters check;
        if (!raw_term(eq, k, raw[k], sizeof raw[k]))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\" does not have %d input terms", eq,
                                   (int)e->n);
        if (!expand(raw[k], "", 0, check))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\": term %d is not letters and one \"...\"",
                                   eq, (int)k);
        int named = count_letters(raw[k]);
        extra[k] = shapes[k].rank - named;
        if (extra[k] < 0 || (extra[k] > 0 && !strstr(raw[k], "...")))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\": term %d names %d dims, operand %d has rank "
                                   "%d",
                                   eq, (int)k, named, (int)k, (int)shapes[k].rank);
        ell_n = extra[k] > ell_n ? extra[k] : ell_n;
    }
    char tail[64] = "";
    if (raw_term(eq, e->n, tail, sizeof tail))
        return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                               "equation \"%s\" has more terms than the %d operands", eq,
                               (int)e->n);
    /* the ellipsis' letters: unused ones */
    char ell[EINSUM_MAX + 1] = "";
    for (int ch = 'A', n = 0; n < ell_n && ch <= 'z'; ch++)
        if (isalpha(ch) && !strchr(eq, ch))
            ell[n++] = (char)ch;
    for (int32_t k = 0; k < e->n; k++)
        if (!expand(raw[k], ell + (ell_n - extra[k]), extra[k], e->in[k]))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\": term %d is not letters and one \"...\"", eq,
                                   (int)k);
    if (arrow) {
        char out[64] = "";
        size_t n = 0;
        for (const char *p = arrow + 2; *p && n + 1 < sizeof out; p++)
            if (*p != ' ')
                out[n++] = *p;
        if (!expand(out, ell, ell_n, e->out))
            return onnx_node_error(c, CLINFER_ERR_INVALID_MODEL,
                                   "equation \"%s\": the output is not letters and one \"...\"",
                                   eq);
    } else {
        implicit_output(e, ell, ell_n);
    }
    for (int32_t k = 0; k < e->n; k++) {
        clinfer_status st = note_sizes(c, e, k, &shapes[k]);
        if (st != CLINFER_OK)
            return st;
    }
    return check_terms(c, e, eq);
}

/* ---------------------------------------------------------------- steps */

/* A name for a step of the node: "<output>:<tag><k>". */
static void step_name(onnx_node *c, const char *tag, int32_t k, char *name, size_t cap)
{
    snprintf(name, cap, "%s:%s%d", onnx_node_oname(c), tag, (int)k);
}

/* Sums x over its letters in `drop` (none: nothing to do). */
static clinfer_status sum_over(onnx_node *c, einsum_val *x, const char *drop, int32_t k)
{
    int64_t axes[EINSUM_MAX];
    int32_t n = 0;
    letters kept = "";
    size_t nk = 0;
    for (int32_t d = 0; x->l[d]; d++) {
        if (has(drop, x->l[d]))
            axes[n++] = d;
        else
            kept[nk++] = x->l[d];
    }
    kept[nk] = 0;
    if (n == 0)
        return CLINFER_OK;
    char name[512];
    step_name(c, "sum", k, name, sizeof name);
    clinfer_status st = onnx_node_build(
        c, clinfer_graph_reduce(c->im->g, name, CLINFER_REDUCE_SUM, x->v, axes, n, 0, &x->v));
    memcpy(x->l, kept, sizeof kept);
    return st;
}

/* x transposed to the letter order `to` (a permutation of x's; a letter
 * written twice takes its dims in order). */
static clinfer_status arrange(onnx_node *c, einsum_val *x, const char *to, const char *tag,
                              int32_t k)
{
    int32_t perm[EINSUM_MAX], identity = 1, rank = (int32_t)strlen(to);
    int used[EINSUM_MAX] = {0};
    for (int32_t d = 0; d < rank; d++) {
        int32_t from = 0;
        while (x->l[from] != to[d] || used[from])
            from++;
        used[from] = 1;
        perm[d] = from;
        identity &= perm[d] == d;
    }
    if (identity)
        return CLINFER_OK;
    char name[512];
    step_name(c, tag, k, name, sizeof name);
    memcpy(x->l, to, (size_t)rank + 1);
    return onnx_node_build(c, clinfer_graph_transpose(c->im->g, name, x->v, perm, rank, &x->v));
}

/* The dim that `group` (letters) becomes in a reshape, where it stands at
 * the same index in input and target when `same_place`: the product of
 * their sizes, or 0 (copy the input's) for a lone letter in place, which
 * is how an open batch size passes; -1 when an open size would have to
 * be multiplied. */
static int64_t group_dim(const einsum_eq *e, const char *group, int same_place)
{
    if (strlen(group) == 1 && same_place)
        return e->size[(unsigned char)group[0]] == CLINFER_BATCH_DIM ? 0
                                                                      : e->size[(unsigned char)
                                                                                    group[0]];
    int64_t p = 1;
    for (; *group; group++) {
        if (e->size[(unsigned char)*group] == CLINFER_BATCH_DIM)
            return -1;
        p *= e->size[(unsigned char)*group];
    }
    return p;
}

/* A reshape of x to `target` (batch dims as 0: copied), skipped when it
 * changes nothing. */
static clinfer_status reshape(onnx_node *c, clinfer_value *x, const clinfer_shape *target,
                              const char *tag, int32_t k)
{
    clinfer_shape now;
    clinfer_status st = onnx_node_build(c, clinfer_graph_value_shape(c->im->g, *x, &now));
    int same = st == CLINFER_OK && now.rank == target->rank;
    for (int32_t d = 0; same && d < now.rank; d++)
        same = target->dims[d] == 0 || target->dims[d] == now.dims[d];
    if (st != CLINFER_OK || same)
        return st;
    char name[512];
    step_name(c, tag, k, name, sizeof name);
    return onnx_node_build(c, clinfer_graph_reshape(c->im->g, name, *x, target, x));
}

/* Appends a dim to s; 0 when it is -1 (an open size merged). */
static int push(clinfer_shape *s, int64_t d)
{
    s->dims[s->rank++] = d;
    return d >= 0;
}

/* The pair's letter groups: which letter goes where (see the banner). */
typedef struct pair_groups {
    letters batch, rows, cols, sums;
} pair_groups;

/* Whether letter l is still needed after operand k: by a later operand
 * or the output. */
static int needed_after(const einsum_eq *e, int32_t k, char l)
{
    for (int32_t j = k + 1; j < e->n; j++)
        if (has(e->in[j], l))
            return 1;
    return has(e->out, l);
}

static void group_pair(const einsum_eq *e, const einsum_val *a, const einsum_val *b, int32_t k,
                       pair_groups *g)
{
    memset(g, 0, sizeof *g);
    size_t nb = 0, nr = 0, nc = 0, ns = 0;
    for (const char *p = a->l; *p; p++) {
        if (!has(b->l, *p))
            g->rows[nr++] = *p;
        else if (needed_after(e, k, *p))
            g->batch[nb++] = *p;
        else
            g->sums[ns++] = *p;
    }
    for (const char *p = b->l; *p; p++)
        if (!has(a->l, *p))
            g->cols[nc++] = *p;
}

/* The open batch size merged into another dim: refused. */
static clinfer_status open_merged(onnx_node *c)
{
    return onnx_node_error(c, CLINFER_ERR_UNSUPPORTED,
                           "the open batch dimension would be merged with others into one "
                           "(give the model a fixed batch size)");
}

/* x without repeated letters: for each letter twice in x's term, its
 * diagonal (the pair moved last, merged into one dim of n*n, sliced with
 * step n + 1), until every letter is once. k: the operand, for names. */
static clinfer_status diagonals(onnx_node *c, const einsum_eq *e, einsum_val *x, int32_t k)
{
    clinfer_status st = CLINFER_OK;
    for (int32_t j = 0; st == CLINFER_OK; j++) {
        const char *twice = NULL;
        for (const char *p = x->l; *p && !twice; p++)
            if (strchr(p + 1, *p))
                twice = p;
        if (!twice)
            return CLINFER_OK;
        const char l = *twice;
        const int64_t n = e->size[(unsigned char)l];
        if (n == CLINFER_BATCH_DIM)
            return open_merged(c);
        letters order = "";
        size_t m = 0;
        for (const char *p = x->l; *p; p++)
            if (*p != l)
                order[m++] = *p;
        order[m] = l, order[m + 1] = l, order[m + 2] = 0; /* the pair last */
        st = arrange(c, x, order, "diag_t", 10 * k + j);
        clinfer_shape flat = {(int32_t)m + 1, {0}};
        flat.dims[m] = n * n;
        if (st == CLINFER_OK)
            st = reshape(c, &x->v, &flat, "diag_r", 10 * k + j);
        const int64_t start = 0, end = n * n, axis = (int64_t)m, step = n + 1;
        char name[512];
        step_name(c, "diag", 10 * k + j, name, sizeof name);
        if (st == CLINFER_OK)
            st = onnx_node_build(c, clinfer_graph_slice(c->im->g, name, x->v, &start, &end,
                                                        &axis, &step, 1, &x->v));
        x->l[m + 1] = 0; /* the letters: the others, then l once */
    }
    return st;
}

/* a := the contraction of a and b (operand k) over what nothing after k
 * needs. */
static clinfer_status contract(onnx_node *c, const einsum_eq *e, einsum_val *a, einsum_val *b,
                               int32_t k)
{
    letters drop_a = "", drop_b = "";
    size_t na = 0, nb = 0;
    for (const char *p = a->l; *p; p++)
        if (!has(b->l, *p) && !needed_after(e, k, *p))
            drop_a[na++] = *p;
    for (const char *p = b->l; *p; p++)
        if (!has(a->l, *p) && !needed_after(e, k, *p))
            drop_b[nb++] = *p;
    clinfer_status st = sum_over(c, a, drop_a, 2 * k);
    if (st == CLINFER_OK)
        st = sum_over(c, b, drop_b, 2 * k + 1);
    pair_groups g;
    group_pair(e, a, b, k, &g);
    char ta[3 * EINSUM_MAX + 1], tb[3 * EINSUM_MAX + 1];
    snprintf(ta, sizeof ta, "%s%s%s", g.batch, g.rows, g.sums);
    snprintf(tb, sizeof tb, "%s%s%s", g.batch, g.sums, g.cols);
    if (st == CLINFER_OK)
        st = arrange(c, a, ta, "a", k);
    if (st == CLINFER_OK)
        st = arrange(c, b, tb, "b", k);
    if (st != CLINFER_OK)
        return st;
    /* [batch.., R, K] x [batch.., K, C] */
    const size_t nbatch = strlen(g.batch), nrows = strlen(g.rows), nsums = strlen(g.sums);
    clinfer_shape sa = {0, {0}}, sb = {0, {0}}, sy = {0, {0}};
    int ok = 1;
    for (size_t d = 0; d < nbatch; d++)
        ok &= push(&sa, 0) & push(&sb, 0) & push(&sy, 0);
    ok &= push(&sa, group_dim(e, g.rows, 1)) & push(&sa, group_dim(e, g.sums, nrows == 1));
    ok &= push(&sb, group_dim(e, g.sums, 1)) & push(&sb, group_dim(e, g.cols, nsums == 1));
    /* the product's R and C split back into their letters */
    for (const char *p = g.rows; *p; p++)
        ok &= push(&sy, group_dim(e, (char[]){*p, 0}, nrows == 1));
    for (const char *p = g.cols; *p; p++)
        ok &= push(&sy, group_dim(e, (char[]){*p, 0}, strlen(g.cols) == 1 && nrows == 1));
    if (!ok)
        return open_merged(c);
    char name[512];
    step_name(c, "product", k, name, sizeof name);
    if ((st = reshape(c, &a->v, &sa, "ra", k)) == CLINFER_OK &&
        (st = reshape(c, &b->v, &sb, "rb", k)) == CLINFER_OK)
        st = onnx_node_build(c, clinfer_graph_matmul(c->im->g, name, a->v, b->v, &a->v));
    if (st == CLINFER_OK)
        st = reshape(c, &a->v, &sy, "ry", k);
    /* the result's letters are its dims', at most a rank's worth: they fit
     * (checked, which also keeps GCC's -Wformat-truncation quiet) */
    if (snprintf(a->l, sizeof a->l, "%s%s%s", g.batch, g.rows, g.cols) >= (int)sizeof a->l &&
        st == CLINFER_OK)
        st = onnx_node_error(c, CLINFER_ERR_UNSUPPORTED, "Einsum: a product of more than %d dims",
                             (int)sizeof a->l - 1);
    return st;
}

clinfer_status op_einsum(onnx_node *c)
{
    const char *eq = NULL;
    einsum_eq *e = malloc(sizeof *e); /* a few hundred bytes: off the stack */
    if (!e)
        return onnx_node_error(c, CLINFER_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    clinfer_status st = onnx_node_attr_string(c, "equation", "", &eq);
    if (st == CLINFER_OK)
        st = parse(c, eq, e);
    einsum_val acc;
    if (st == CLINFER_OK)
        st = onnx_node_in_value(c, 0, &acc.v);
    if (st == CLINFER_OK) {
        memcpy(acc.l, e->in[0], sizeof acc.l);
        st = diagonals(c, e, &acc, 0);
    }
    for (int32_t k = 1; k < e->n && st == CLINFER_OK; k++) {
        einsum_val b;
        memcpy(b.l, e->in[k], sizeof b.l);
        st = onnx_node_in_value(c, k, &b.v);
        if (st == CLINFER_OK)
            st = diagonals(c, e, &b, k);
        if (st == CLINFER_OK)
            st = contract(c, e, &acc, &b, k);
    }
    /* the letters the output drops, then its order */
    letters drop = "";
    size_t nd = 0;
    for (const char *p = acc.l; st == CLINFER_OK && *p; p++)
        if (!has(e->out, *p))
            drop[nd++] = *p;
    if (st == CLINFER_OK)
        st = sum_over(c, &acc, drop, 2 * e->n);
    if (st == CLINFER_OK)
        st = arrange(c, &acc, e->out, "out", e->n);
    free(e);
    if (st != CLINFER_OK)
        return st;
    /* the output is a value of its own, named as the node's output */
    clinfer_value y;
    return onnx_node_out_of(c,
                            clinfer_graph_identity(c->im->g, onnx_node_oname(c), acc.v, &y), &y);
}
