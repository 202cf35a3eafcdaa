/*
 * prelude.cl - shared by every kernel file (prepended by the program cache).
 *
 * Fused activations: a kernel built with -DACT=ACT_<kind> applies
 * apply_act(x, act_a, act_b) to each output before it is stored, where the
 * two floats are kernel arguments (LeakyReLU slope; Clip min and max).
 */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY_RELU 2
#define ACT_CLIP 3
#define ACT_SIGMOID 4
#define ACT_TANH 5

#ifndef ACT
#define ACT ACT_NONE
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif

inline float apply_act(float x, float act_a, float act_b)
{
#if ACT == ACT_RELU
    return fmax(x, 0.0f);
#elif ACT == ACT_LEAKY_RELU
    return x >= 0.0f ? x : x * act_a;
#elif ACT == ACT_CLIP
    return fmin(fmax(x, act_a), act_b);
#elif ACT == ACT_SIGMOID
    return 1.0f / (1.0f + exp(-x));
#elif ACT == ACT_TANH
    return tanh(x);
#else
    return x;
#endif
}
