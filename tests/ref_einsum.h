/*
 * ref_einsum.h — a naive Einsum: every assignment of the letters' values
 * visited, the product of the operands' elements added (in double) into
 * the output element its output letters name. Terms are explicit letters
 * (no ellipsis: the tests spell it out); a dim of 1 broadcasts.
 */
#ifndef CLINFER_REF_EINSUM_H
#define CLINFER_REF_EINSUM_H

#include "clinfer.h"

/* terms[k]: operand k's letters, one per dim of shapes[k]; out: the
 * output's letters. y gets the product of the output letters' sizes. */
void ref_einsum(int n, const char *const *terms, const clinfer_shape *shapes,
                const float *const *x, const char *out, float *y);

#endif
