/*
 * plan.h — the memory planner: places tensors with known lifetimes in one
 * arena so that tensors whose lifetimes overlap never share bytes.
 */
#ifndef CLINFER_PLAN_H
#define CLINFER_PLAN_H

#include <stdint.h>

typedef struct plan_tensor {
    uint64_t bytes;
    int32_t first, last; /* steps during which the tensor is live, inclusive */
    uint64_t offset;     /* set by plan_assign */
} plan_tensor;

/* Assigns offsets (multiples of `align`) and returns the arena size; 0 if
 * there are no tensors. Returns UINT64_MAX if the host runs out of memory. */
uint64_t plan_assign(plan_tensor *tensors, int32_t count, uint64_t align);

#endif
