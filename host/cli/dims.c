/*
 * dims.c — reads "1x3x480x640" into a shape: the one parser of sizes for
 * the CLI's --shape and for tests/bench/bench_shapes (which links this file
 * alone, so it depends on nothing else of the CLI).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_dims(const char *text, clinfer_shape *shape)
{
    memset(shape, 0, sizeof *shape);
    while (shape->rank < CLINFER_MAX_RANK) {
        char *end = NULL;
        long long v = strtoll(text, &end, 10);
        if (end == text || v < 1 || v > 2147483647LL)
            return 0;
        shape->dims[shape->rank++] = v;
        if (*end == 0)
            return 1;
        if (*end != 'x' && *end != 'X')
            return 0;
        text = end + 1;
    }
    return 0;
}
