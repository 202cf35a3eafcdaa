/*
 * image.h — PNG, JPEG and BMP files as model inputs for `clinfer run`:
 * decoded by stb_image (Debian's libstb), resized, normalised and laid out
 * as the options say.
 */
#ifndef CLINFER_CLI_IMAGE_H
#define CLINFER_CLI_IMAGE_H

#include "clinfer.h"

/* How pixels become a tensor: v = (pixel * scale - mean[c]) / std[c] for
 * channel c in RGB order (BGR with bgr), after a bilinear resize to
 * height x width (half-pixel centres, as ONNX Resize linear and OpenCV's
 * INTER_LINEAR without antialiasing). */
typedef struct cli_image_opts {
    int height, width; /* --size HxW; 0: the image's own */
    float mean[3];     /* --mean, default 0 */
    float std[3];      /* --std, default 1 */
    float scale;       /* --scale, default 1/255 */
    int bgr;           /* --bgr: channels in B, G, R order */
    int nhwc;          /* --nhwc: [1, H, W, C] instead of [1, C, H, W] */
    int gray;          /* --gray: one channel (luminance) */
} cli_image_opts;

/* The defaults above. */
cli_image_opts cli_image_opts_default(void);

/* Takes `opt` (an image option: --size, --mean, --std, --scale, --bgr,
 * --nhwc, --gray) with its value (NULL for the flags) into o. Returns 1
 * when taken, 0 (printed after "clinfer CMD: ") on a bad value, -1 when
 * opt is not an image option. */
int cli_image_option(const char *cmd, const char *opt, const char *value, cli_image_opts *o);

/* 1 when opt is an image option that takes a value. */
int cli_image_option_takes_value(const char *opt);

/* 1 when the file's name says it is an image (.png, .jpg, .jpeg, .bmp). */
int cli_is_image_file(const char *path);

/* Decodes and converts the image at path into a float32 tensor *t
 * (clinfer_tensor_release frees it); 0 (printed) on failure. */
int cli_image_load(const char *cmd, const char *path, const cli_image_opts *o, clinfer_tensor *t);

/* Help text for the options. */
#define CLI_IMAGE_HELP                                                                       \
    "image inputs (--input [NAME=]FILE.png|.jpg|.jpeg|.bmp):\n"                              \
    "  --size HxW           bilinear resize to H x W (default: the image's size)\n"         \
    "  --scale S            multiply each 0..255 pixel by S first (default 1/255)\n"        \
    "  --mean R,G,B         subtract per channel after scaling (default 0,0,0)\n"          \
    "  --std R,G,B          then divide per channel (default 1,1,1)\n"                     \
    "  --bgr                channels in B, G, R order (mean and std stay R,G,B)\n"         \
    "  --gray               one channel, the luminance\n"                                  \
    "  --nhwc               [1, H, W, C] instead of [1, C, H, W]\n"

#endif
