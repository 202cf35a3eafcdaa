/*
 * test_plan.c — the arena planner: tensors live at the same time never
 * overlap, and a chain needs no more than its largest adjacent pair.
 */
#include <criterion/criterion.h>

#include "plan.h"
#include "testutil.h"

static void assert_no_overlap(const plan_tensor *t, int32_t n, uint64_t arena)
{
    for (int32_t i = 0; i < n; i++) {
        cr_assert_leq(t[i].offset + t[i].bytes, arena, "tensor %d ends past the arena", i);
        for (int32_t j = i + 1; j < n; j++) {
            int together = t[i].first <= t[j].last && t[j].first <= t[i].last;
            int overlap = t[i].offset < t[j].offset + t[j].bytes &&
                          t[j].offset < t[i].offset + t[i].bytes;
            cr_assert(!(together && overlap), "tensors %d and %d overlap while both live", i, j);
        }
    }
}

Test(plan, chain_needs_at_most_the_largest_adjacent_pair)
{
    const uint64_t sizes[] = {10, 1, 9, 1, 8, 30, 2, 7, 7, 3};
    plan_tensor t[10];
    uint64_t bound = 0, sum = 0;
    for (int32_t i = 0; i < 10; i++) {
        t[i] = (plan_tensor){sizes[i], i, i + 1, 0};
        sum += sizes[i];
        if (i > 0 && sizes[i] + sizes[i - 1] > bound)
            bound = sizes[i] + sizes[i - 1];
    }
    uint64_t arena = plan_assign(t, 10, 1);
    assert_no_overlap(t, 10, arena);
    cr_assert_leq(arena, bound, "arena %llu > largest pair %llu", (unsigned long long)arena,
                  (unsigned long long)bound);
    cr_assert_lt(arena, sum / 2);
}

Test(plan, random_lifetimes_never_overlap_and_respect_alignment)
{
    uint32_t seed = 7;
    for (int round = 0; round < 50; round++) {
        plan_tensor t[40];
        float r[3];
        for (int32_t i = 0; i < 40; i++) {
            fill_uniform(r, 3, 0, 1, &seed);
            int32_t first = (int32_t)(r[0] * 30), len = (int32_t)(r[1] * 10);
            t[i] = (plan_tensor){1 + (uint64_t)(r[2] * 5000), first, first + len, 0};
        }
        uint64_t arena = plan_assign(t, 40, 128);
        assert_no_overlap(t, 40, arena);
        for (int32_t i = 0; i < 40; i++)
            cr_assert_eq(t[i].offset % 128, 0);
        cr_assert_eq(arena % 128, 0);
    }
    cr_assert_eq(plan_assign(NULL, 0, 64), 0);
}
