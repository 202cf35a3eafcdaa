/*
 * image.c — image files as model inputs: stb_image decodes (libstb, built
 * by Debian: only its header's declarations are compiled here), then a
 * bilinear resize, scaling and per-channel normalisation into float32,
 * NCHW or NHWC.
 */
#include "image.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "safe_text.h"

cli_image_opts cli_image_opts_default(void)
{
    cli_image_opts o = {0, 0, {0, 0, 0}, {1, 1, 1}, 1.0f / 255.0f, 0, 0, 0};
    return o;
}

/* "a,b,c" (or one value for all three) into v; 0 when it is not that. */
static int parse_triple(const char *text, float v[3])
{
    const char *p = text;
    int n = 0;
    for (; n < 3; n++) {
        char *end = NULL;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x))
            return 0;
        v[n] = (float)x;
        if (*end == 0)
            break;
        if (*end != ',')
            return 0;
        p = end + 1;
    }
    if (n == 0)
        v[1] = v[2] = v[0];
    return n == 0 || n == 2;
}

static int parse_size(const char *text, int *h, int *w)
{
    char *end = NULL;
    long a = strtol(text, &end, 10);
    if (end == text || (*end != 'x' && *end != 'X') || a < 1 || a > 16384)
        return 0;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end || b < 1 || b > 16384)
        return 0;
    *h = (int)a, *w = (int)b;
    return 1;
}

int cli_image_option_takes_value(const char *opt)
{
    return strcmp(opt, "--size") == 0 || strcmp(opt, "--mean") == 0 ||
           strcmp(opt, "--std") == 0 || strcmp(opt, "--scale") == 0;
}

int cli_image_option(const char *cmd, const char *opt, const char *value, cli_image_opts *o)
{
    if (strcmp(opt, "--bgr") == 0 || strcmp(opt, "--nhwc") == 0 || strcmp(opt, "--gray") == 0) {
        *(opt[2] == 'b' ? &o->bgr : opt[2] == 'n' ? &o->nhwc : &o->gray) = 1;
        return 1;
    }
    if (!cli_image_option_takes_value(opt))
        return -1;
    int ok = 0;
    if (strcmp(opt, "--size") == 0) {
        ok = parse_size(value, &o->height, &o->width);
    } else if (strcmp(opt, "--scale") == 0) {
        char *end = NULL;
        double s = strtod(value, &end);
        ok = end != value && !*end && isfinite(s) && s != 0;
        o->scale = (float)s;
    } else {
        float *v = strcmp(opt, "--mean") == 0 ? o->mean : o->std;
        ok = parse_triple(value, v);
        for (int c = 0; ok && v == o->std && c < 3; c++)
            ok = v[c] != 0;
    }
    if (!ok)
        fprintf(stderr, "clinfer %s: %s needs %s, got %s\n", cmd, opt,
                strcmp(opt, "--size") == 0    ? "HxW (each 1 to 16384, e.g. 224x224)"
                : strcmp(opt, "--scale") == 0 ? "a finite nonzero number"
                : strcmp(opt, "--std") == 0   ? "R,G,B or one value, none 0"
                                              : "R,G,B or one value",
                cli_safe(value));
    return ok;
}

int cli_is_image_file(const char *path)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".bmp"};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k) {
            int same = 1;
            for (size_t j = 0; j < k && same; j++) {
                char c = path[n - k + j];
                same = (c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c) == ext[i][j];
            }
            if (same)
                return 1;
        }
    }
    return 0;
}

/* Bilinear sample of channel c at output pixel (y, x) of an out_h x out_w
 * resize, half-pixel centres, edges clamped. */
static float sample(const unsigned char *px, int h, int w, int ch, int c, int y, int x,
                    int out_h, int out_w)
{
    float sy = ((float)y + 0.5f) * (float)h / (float)out_h - 0.5f;
    float sx = ((float)x + 0.5f) * (float)w / (float)out_w - 0.5f;
    sy = sy < 0 ? 0 : sy;
    sx = sx < 0 ? 0 : sx;
    int y0 = (int)sy, x0 = (int)sx;
    y0 = y0 > h - 1 ? h - 1 : y0;
    x0 = x0 > w - 1 ? w - 1 : x0;
    int y1 = y0 + 1 < h ? y0 + 1 : h - 1, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
    float fy = sy - (float)y0, fx = sx - (float)x0;
    fy = fy > 1 ? 1 : fy;
    fx = fx > 1 ? 1 : fx;
#define P(yy, xx) ((float)px[((size_t)(yy) * (size_t)w + (size_t)(xx)) * (size_t)ch + (size_t)c])
    float top = P(y0, x0) + (P(y0, x1) - P(y0, x0)) * fx;
    float bottom = P(y1, x0) + (P(y1, x1) - P(y1, x0)) * fx;
#undef P
    return top + (bottom - top) * fy;
}

int cli_image_load(const char *cmd, const char *path, const cli_image_opts *o, clinfer_tensor *t)
{
    memset(t, 0, sizeof *t);
    int w = 0, h = 0, n = 0;
    const int ch = o->gray ? 1 : 3;
    unsigned char *px = stbi_load(path, &w, &h, &n, ch);
    if (!px) {
        fprintf(stderr, "clinfer %s: %s: cannot decode the image: %s\n", cmd, cli_safe(path),
                stbi_failure_reason());
        return 0;
    }
    const int oh = o->height ? o->height : h, ow = o->width ? o->width : w;
    float *v = malloc((size_t)oh * (size_t)ow * (size_t)ch * sizeof *v);
    if (!v) {
        stbi_image_free(px);
        fprintf(stderr, "clinfer %s: %s: out of memory\n", cmd, cli_safe(path));
        return 0;
    }
    for (int c = 0; c < ch; c++) {
        const int src = o->bgr && ch == 3 ? 2 - c : c; /* mean and std are R,G,B */
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                float p = sample(px, h, w, ch, src, y, x, oh, ow);
                float val = (p * o->scale - o->mean[src]) / o->std[src];
                size_t at = o->nhwc ? ((size_t)y * (size_t)ow + (size_t)x) * (size_t)ch + (size_t)c
                                    : ((size_t)c * (size_t)oh + (size_t)y) * (size_t)ow + (size_t)x;
                v[at] = val;
            }
    }
    stbi_image_free(px);
    t->dtype = CLINFER_DTYPE_FLOAT32;
    t->shape.rank = 4;
    t->shape.dims[0] = 1;
    t->shape.dims[1] = o->nhwc ? oh : ch;
    t->shape.dims[2] = o->nhwc ? ow : oh;
    t->shape.dims[3] = o->nhwc ? ch : ow;
    t->data = v;
    return 1;
}
