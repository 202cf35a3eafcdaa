#!/usr/bin/python3
"""random_model.py — one random CNN-like ONNX model per seed, for
tests/fuzz/differential.py (clinfer against ONNX Runtime).

Needs Debian's /usr/bin/python3 (python3-onnx, python3-numpy).
Usage: /usr/bin/python3 tests/fuzz/random_model.py SEED OUTDIR
writes OUTDIR/m<SEED>.onnx (opset 17, input "input", output "output"),
OUTDIR/m<SEED>.in.npy (its input) and OUTDIR/m<SEED>.txt (the nodes).
BIG=1 in the environment: channel counts of real mobile networks.

A model is an input of 1-16 channels (batch 1-3, sometimes symbolic) and
2-8 blocks drawn from: convolutions of any kernel, stride, dilation,
group count and padding (explicit or auto_pad) with batch norm and one
of 13 activations; depthwise + pointwise pairs; squeeze-excitation;
inverted residual blocks; ResNet basic blocks; max and average pools
(ceil mode, padding); fire modules; resizes; per-channel scale and
shift; ConvNeXt blocks (LayerNormalization, MatMul, GELU); channel
shuffles; instance and group norms; transposed convolutions; pads;
channel slices; a conv output read twice; U-Net skips; depth/space
moves; attention; channel reductions; GridSample, LRN, LpNormalization
and the other reductions; RNN, GRU and LSTM along the width (any
direction, clip, activations, initial states, peepholes); TopK pooling
(the K best locations' features gathered by the indices); then an
optional head (pooling
and Gemm, flatten and Gemm, softmax, a YOLO-style box head). Weights
are random, scaled by 1/sqrt(fan-in).
"""
import sys, os, random
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

seed = int(sys.argv[1]); out = sys.argv[2]
R = random.Random(seed); NR = np.random.RandomState(seed)
BIG = os.environ.get("BIG") == "1"
def chans(lo, hi):
    # BIG: channel counts of real mobile nets (multiples of 8 and 16, some large)
    return R.choice([16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 256, 320]) if BIG else R.randint(lo, hi)
nodes, inits, desc = [], [], []
cnt = [0]

def name(p):
    cnt[0] += 1
    return f"{p}{cnt[0]}"

def const(arr, p="w"):
    n = name(p)
    inits.append(numpy_helper.from_array(np.asarray(arr), n))
    return n

def node(op, ins, attrs=None, nout=1):
    outs = [name(op.lower() + "_") for _ in range(nout)]
    nodes.append(helper.make_node(op, ins, outs, name=name("n_" + op), **(attrs or {})))
    desc.append(f"{op} {attrs or ''}")
    return outs[0] if nout == 1 else outs

def rnd(*shape, scale=1.0):
    return (NR.randn(*shape) * scale).astype(np.float32)

def out_size(i, k, s, d, pb, pe, ceil=False):
    ek = d * (k - 1) + 1
    num = i + pb + pe - ek
    if num < 0: return 0
    return (-(-num // s) if ceil else num // s) + 1

class T:
    def __init__(self, n, shape): self.n, self.shape = n, list(shape)

def act(x, which=None):
    a = which or R.choice(["Relu", "Clip6", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish",
                            "SiLU", "Tanh", "Mish", "Elu", "Gelu", "PRelu", "Softplus", "none"])
    n = x.n
    if a == "none": return x
    if a == "Clip6":
        lo = const(np.float32(0.0), "lo"); hi = const(np.float32(6.0), "hi")
        return T(node("Clip", [n, lo, hi]), x.shape)
    if a == "LeakyRelu": return T(node("LeakyRelu", [n], {"alpha": 0.1}), x.shape)
    if a == "HardSigmoid": return T(node("HardSigmoid", [n], {"alpha": 1/6, "beta": 0.5}), x.shape)
    if a == "SiLU": return T(node("Mul", [n, node("Sigmoid", [n])]), x.shape)
    if a == "Mish": return T(node("Mul", [n, node("Tanh", [node("Softplus", [n])])]), x.shape)
    if a == "Gelu":
        h = node("Div", [n, const(np.float32(np.sqrt(2.0)), "s2")])
        e = node("Add", [node("Erf", [h]), const(np.float32(1.0), "one")])
        return T(node("Mul", [node("Mul", [n, e]), const(np.float32(0.5), "half")]), x.shape)
    if a == "PRelu":
        c = x.shape[1]
        slope = const(rnd(c, 1, 1, scale=0.2) if len(x.shape) == 4 else rnd(c, scale=0.2), "slope")
        return T(node("PRelu", [n, slope]), x.shape)
    if a == "Elu": return T(node("Elu", [n], {"alpha": 1.0}), x.shape)
    return T(node(a, [n]), x.shape)

def bn(x):
    c = x.shape[1]
    s = const((NR.rand(c) + 0.5).astype(np.float32), "g"); b = const(rnd(c, scale=0.1), "b")
    m = const(rnd(c, scale=0.1), "m"); v = const((NR.rand(c) + 0.5).astype(np.float32), "v")
    return T(node("BatchNormalization", [x.n, s, b, m, v], {"epsilon": 1e-5}), x.shape)

def conv(x, cout, k=None, s=None, d=1, g=1, pads=None, bias=None, auto=None):
    N, C, H, W = x.shape
    kh, kw = k if isinstance(k, tuple) else (k, k)
    sh, sw = s if isinstance(s, tuple) else (s, s)
    if pads is None: pads = [d*(kh-1)//2, d*(kw-1)//2, d*(kh-1)//2, d*(kw-1)//2]
    attrs = {"kernel_shape": [kh, kw], "strides": [sh, sw], "dilations": [d, d], "group": g}
    if auto:
        attrs["auto_pad"] = auto
        oh, ow = -(-H // sh), -(-W // sw)
        if auto == "VALID": oh, ow = out_size(H, kh, sh, d, 0, 0), out_size(W, kw, sw, d, 0, 0)
    else:
        attrs["pads"] = pads
        oh, ow = out_size(H, kh, sh, d, pads[0], pads[2]), out_size(W, kw, sw, d, pads[1], pads[3])
    if oh < 1 or ow < 1: return None
    w = const(rnd(cout, C // g, kh, kw, scale=1.0 / np.sqrt(C // g * kh * kw)), "w")
    ins = [x.n, w]
    if bias if bias is not None else R.random() < 0.7: ins.append(const(rnd(cout, scale=0.1), "bias"))
    return T(node("Conv", ins, attrs), [N, cout, oh, ow])

def conv_block(x):
    N, C, H, W = x.shape
    k = R.choice([1, 1, 3, 3, 3, 5, 7, (1, 3), (3, 1), 2])
    s = R.choice([1, 1, 1, 2, (1, 2)])
    d = R.choice([1, 1, 1, 2]) if k != 1 else 1
    gopts = [1, 1, 1]
    cout = R.choice([C, chans(1, 48), chans(1, 24)])
    if C == cout: gopts.append(C)
    for g in (2, 3, 4):
        if C % g == 0 and cout % g == 0: gopts.append(g)
    g = R.choice(gopts)
    kh, kw = k if isinstance(k, tuple) else (k, k)
    pads = None
    auto = None
    r = R.random()
    if r < 0.2: pads = [R.randint(0, kh // 2 + 1) for _ in range(2)] + [R.randint(0, kh // 2 + 1) for _ in range(2)]
    elif r < 0.3: auto = R.choice(["SAME_UPPER", "SAME_LOWER", "VALID"])
    if auto in ("SAME_UPPER", "SAME_LOWER") and d != 1: auto = None
    y = conv(x, cout, k, s, d, g, pads, auto=auto)
    if y is None: return x
    if R.random() < 0.5: y = bn(y)
    return act(y)

def dw_pw(x):
    N, C, H, W = x.shape
    y = conv(x, C, R.choice([3, 5, 3]), R.choice([1, 2, 1]), g=C)
    if y is None: return x
    y = act(bn(y)) if R.random() < 0.6 else act(y)
    y = conv(y, chans(1, 40), 1, 1)
    if R.random() < 0.5: y = bn(y)
    return act(y, R.choice(["Relu", "none", "Clip6", "HardSwish"]))

def se(x, mid=None):
    N, C, H, W = x.shape
    p = T(node("GlobalAveragePool", [x.n]) if R.random() < 0.8 else
          node("ReduceMean", [x.n], {"axes": [2, 3], "keepdims": 1}), [N, C, 1, 1])
    m = mid or max(1, C // R.choice([4, 8, 2]))
    h = act(conv(p, m, 1, 1, bias=True), R.choice(["Relu", "SiLU", "Relu"]))
    g = conv(h, C, 1, 1, bias=True)
    g = act(g, R.choice(["Sigmoid", "HardSigmoid"]))
    return T(node("Mul", [x.n, g.n] if R.random() < 0.5 else [g.n, x.n]), x.shape)

def inv_res(x):
    N, C, H, W = x.shape
    e = R.choice([1, 2, 4, 6])
    a1 = R.choice(["Relu", "Clip6", "HardSwish", "SiLU"])
    y = x
    if e != 1: y = act(bn(conv(x, C * e, 1, 1, bias=False)), a1)
    s = R.choice([1, 1, 2])
    y2 = conv(y, y.shape[1], R.choice([3, 5]), s, g=y.shape[1], bias=False)
    if y2 is None: return x
    y = act(bn(y2), a1)
    if R.random() < 0.4: y = se(y)
    cout = C if (s == 1 and R.random() < 0.7) else chans(2, 40)
    y = bn(conv(y, cout, 1, 1, bias=False))
    if y.shape == x.shape: y = T(node("Add", [x.n, y.n]), x.shape)
    return y

def basic_res(x):
    N, C, H, W = x.shape
    y = act(bn(conv(x, C, 3, 1, bias=False)), "Relu")
    y = bn(conv(y, C, 3, 1, bias=False))
    y = T(node("Add", [y.n, x.n]), x.shape)
    return act(y, "Relu")

def pool(x):
    N, C, H, W = x.shape
    op = R.choice(["MaxPool", "AveragePool", "MaxPool"])
    k = R.choice([2, 3, 3, (2, 3), 1, 4, 5])
    kh, kw = k if isinstance(k, tuple) else (k, k)
    s = R.choice([1, 2, 2, 3, (1, 2)])
    sh, sw = s if isinstance(s, tuple) else (s, s)
    ceil = R.random() < 0.3
    pads = [R.randint(0, (kh - 1) // 2 + 0), R.randint(0, (kw - 1) // 2), R.randint(0, (kh - 1) // 2), R.randint(0, (kw - 1) // 2)] if R.random() < 0.5 else [0, 0, 0, 0]
    oh, ow = out_size(H, kh, sh, 1, pads[0], pads[2], ceil), out_size(W, kw, sw, 1, pads[1], pads[3], ceil)
    # ceil mode: the last window must start inside the input or left pad
    if ceil:
        if (oh - 1) * sh >= H + pads[0]: oh -= 1
        if (ow - 1) * sw >= W + pads[1]: ow -= 1
    if oh < 1 or ow < 1 or H + pads[0] + pads[2] < kh or W + pads[1] + pads[3] < kw: return x
    attrs = {"kernel_shape": [kh, kw], "strides": [sh, sw], "pads": pads, "ceil_mode": int(ceil)}
    if op == "AveragePool": attrs["count_include_pad"] = R.choice([0, 1])
    return T(node(op, [x.n], attrs), [N, C, oh, ow])

def fire(x):
    N, C, H, W = x.shape
    sq = act(conv(x, R.randint(2, 16), 1, 1), "Relu")
    a = act(conv(sq, R.randint(2, 24), 1, 1), "Relu")
    b = act(conv(sq, R.randint(2, 24), 3, 1), "Relu")
    return T(node("Concat", [a.n, b.n], {"axis": 1}), [N, a.shape[1] + b.shape[1], H, W])

def resize(x):
    N, C, H, W = x.shape
    mode = R.choice(["nearest", "linear"])
    f = R.choice([2, 2, 3])
    if H * f > 80 or W * f > 80: return x
    attrs = {"mode": mode}
    if mode == "linear": attrs["coordinate_transformation_mode"] = R.choice(["half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel"])
    else: attrs["coordinate_transformation_mode"] = R.choice(["asymmetric", "half_pixel"]); attrs["nearest_mode"] = R.choice(["floor", "round_prefer_floor"])
    sc = const(np.array([1, 1, f, f], np.float32), "scales")
    return T(node("Resize", [x.n, "", sc], attrs), [N, C, H * f, W * f])

def scale_shift(x):
    c = x.shape[1]
    y = T(node("Mul", [x.n, const(rnd(1, c, 1, 1, scale=0.5) + 1, "sc")]), x.shape)
    if R.random() < 0.6: y = T(node("Add", [y.n, const(rnd(c, 1, 1, scale=0.2), "sh")]), x.shape)
    return y

def convnext(x):
    N, C, H, W = x.shape
    y = conv(x, C, 7, 1, g=C)
    t = node("Transpose", [y.n], {"perm": [0, 2, 3, 1]})
    ln = node("LayerNormalization", [t, const((NR.rand(C) + 0.5).astype(np.float32), "lg"), const(rnd(C, scale=0.1), "lb")], {"axis": -1, "epsilon": 1e-6})
    e = R.choice([2, 4])
    h = node("Add", [node("MatMul", [ln, const(rnd(C, e * C, scale=1 / np.sqrt(C)), "fc")]), const(rnd(e * C, scale=0.1), "fb")])
    h = act(T(h, [N, H, W, e * C]), "Gelu").n
    h = node("Add", [node("MatMul", [h, const(rnd(e * C, C, scale=1 / np.sqrt(e * C)), "fc")]), const(rnd(C, scale=0.1), "fb")])
    h = node("Mul", [h, const(rnd(C, scale=0.5), "gam")])
    b = node("Transpose", [h], {"perm": [0, 3, 1, 2]})
    return T(node("Add", [x.n, b]), x.shape)

def shuffle(x):
    N, C, H, W = x.shape
    if C % 2: return x
    r1 = node("Reshape", [x.n, const(np.array([0, 2, C // 2, H, W], np.int64), "shp")])
    t = node("Transpose", [r1], {"perm": [0, 2, 1, 3, 4]})
    return T(node("Reshape", [t, const(np.array([0, C, H, W], np.int64), "shp")]), x.shape)

def norm(x):
    N, C, H, W = x.shape
    if R.random() < 0.5:
        return T(node("InstanceNormalization", [x.n, const((NR.rand(C) + 0.5).astype(np.float32), "ig"), const(rnd(C, scale=0.1), "ib")]), x.shape)
    gs = [g for g in (1, 2, 4, C) if C % g == 0]
    g = R.choice(gs)
    # GroupNorm via reshape + InstanceNorm pattern as exported by PyTorch
    r = node("Reshape", [x.n, const(np.array([0, g, -1], np.int64), "shp")])
    inn = node("InstanceNormalization", [r, const(np.ones(g, np.float32), "one"), const(np.zeros(g, np.float32), "zero")], {"epsilon": 1e-5})
    r2 = node("Reshape", [inn, const(np.array([0, C, H, W], np.int64), "shp")])
    y = node("Add", [node("Mul", [r2, const((NR.rand(C, 1, 1) + 0.5).astype(np.float32), "gg")]), const(rnd(C, 1, 1, scale=0.1), "gb")])
    return T(y, x.shape)

def convT(x):
    N, C, H, W = x.shape
    if H * 2 > 80 or W * 2 > 80: return x
    k = R.choice([2, 3, 4]); s = 2; p = R.choice([0, 1]) if k > 2 else 0
    op_ = 1 if (k == 3 and R.random() < 0.5) else 0
    cout = R.randint(1, 24)
    w = const(rnd(C, cout, k, k, scale=1 / np.sqrt(C * k * k)), "wt")
    oh = (H - 1) * s - 2 * p + k + op_; ow = (W - 1) * s - 2 * p + k + op_
    attrs = {"kernel_shape": [k, k], "strides": [s, s], "pads": [p, p, p, p], "output_padding": [op_, op_]}
    return T(node("ConvTranspose", [x.n, w, const(rnd(cout, scale=0.1), "bt")], attrs), [N, cout, oh, ow])

def pad(x):
    N, C, H, W = x.shape
    mode = R.choice(["constant", "reflect", "edge"])
    p = [0, 0, R.randint(0, 2), R.randint(0, 2), 0, 0, R.randint(0, 2), R.randint(0, 2)]
    if mode == "reflect" and (max(p[2], p[6]) >= H or max(p[3], p[7]) >= W): return x
    y = node("Pad", [x.n, const(np.array(p, np.int64), "pads")], {"mode": mode})
    return T(y, [N, C, H + p[2] + p[6], W + p[3] + p[7]])

def slice_ch(x):
    N, C, H, W = x.shape
    if C < 2: return x
    a = R.randint(0, C - 1); b = R.randint(a + 1, C)
    y = node("Slice", [x.n, const(np.array([a], np.int64), "st"), const(np.array([b], np.int64), "en"), const(np.array([1], np.int64), "ax")])
    return T(y, [N, b - a, H, W])


def reuse(x):
    # a conv output read by two consumers: its activation must not be fused away
    y = conv(x, R.randint(2, 24), R.choice([1, 3]), 1)
    a = act(y, R.choice(["Relu", "Sigmoid", "HardSwish", "Clip6"]))
    z = conv(y, y.shape[1], 1, 1)
    return T(node("Add", [a.n, z.n]), y.shape)

def unet(x):
    N, C, H, W = x.shape
    if H < 4 or W < 4: return x
    skip = act(conv(x, R.randint(2, 16), 3, 1), "Relu")
    d = T(node("MaxPool", [skip.n], {"kernel_shape": [2, 2], "strides": [2, 2]}), [N, skip.shape[1], H // 2, W // 2])
    d = act(conv(d, R.randint(2, 24), 3, 1), "Relu")
    mode = R.choice(["nearest", "linear"])
    if R.random() < 0.5:
        sizes = const(np.array([N, d.shape[1], H, W], np.int64), "sizes") if not DYN else None
    else:
        sizes = None
    if sizes is None:  # as PyTorch exports interpolate(size=...): Shape -> Slice -> Concat
        hd = node("Slice", [node("Shape", [d.n]), const(np.array([0], np.int64), "st"), const(np.array([2], np.int64), "en")])
        sizes = node("Concat", [hd, const(np.array([H, W], np.int64), "hw")], {"axis": 0})
    u = node("Resize", [d.n, "", "", sizes], {"mode": mode})
    cat = node("Concat", [u, skip.n] if R.random() < 0.5 else [skip.n, u], {"axis": 1})
    return T(cat, [N, d.shape[1] + skip.shape[1], H, W])

def d2s(x):
    N, C, H, W = x.shape
    b = 2
    if R.random() < 0.5 and H % b == 0 and W % b == 0 and C * 4 <= 64:
        return T(node("SpaceToDepth", [x.n], {"blocksize": b}), [N, C * 4, H // 2, W // 2])
    y = conv(x, 4 * R.randint(1, 6), 3, 1)
    if H * 2 > 80 or W * 2 > 80: return y
    return T(node("DepthToSpace", [y.n], {"blocksize": 2, "mode": R.choice(["DCR", "CRD"])}), [N, y.shape[1] // 4, H * 2, W * 2])

def attention(x):
    N, C, H, W = x.shape
    if H * W > 400: return x
    q = node("Reshape", [conv(x, C, 1, 1).n, const(np.array([0, C, -1], np.int64), "shp")])
    k = node("Reshape", [conv(x, C, 1, 1).n, const(np.array([0, C, -1], np.int64), "shp")])
    v = node("Reshape", [conv(x, C, 1, 1).n, const(np.array([0, C, -1], np.int64), "shp")])
    qt = node("Transpose", [q], {"perm": [0, 2, 1]})
    s = node("Mul", [node("MatMul", [qt, k]), const(np.float32(1 / np.sqrt(C)), "sc")])
    p = node("Softmax", [s], {"axis": -1})
    o = node("MatMul", [v, node("Transpose", [p], {"perm": [0, 2, 1]})])
    o = node("Reshape", [o, const(np.array([0, C, H, W], np.int64), "shp")])
    return T(node("Add", [x.n, o]), x.shape)

def reduce_ch(x):
    N, C, H, W = x.shape
    op = R.choice(["ReduceMean", "ReduceMax", "ReduceSum"])
    r = node(op, [x.n, const(np.array([1], np.int64), "axes")], {"keepdims": 1}) if op == "ReduceSum" else node(op, [x.n], {"axes": [1], "keepdims": 1})
    g = node("Sigmoid", [r])
    return T(node("Mul", [x.n, g]), x.shape)

def detect_head(x):
    N, C, H, W = x.shape
    a = conv(x, 3 * 6, 1, 1)
    r = node("Reshape", [a.n, const(np.array([0, 3, 6, H * W], np.int64), "shp")])
    t = node("Transpose", [r], {"perm": [0, 1, 3, 2]})
    sg = node("Sigmoid", [t])
    xy = node("Slice", [sg, const(np.array([0], np.int64), "st"), const(np.array([2], np.int64), "en"), const(np.array([3], np.int64), "ax")])
    rest = node("Slice", [sg, const(np.array([2], np.int64), "st"), const(np.array([6], np.int64), "en"), const(np.array([3], np.int64), "ax")])
    xy = node("Mul", [xy, const(np.float32(2.0), "two")])
    out = node("Concat", [xy, rest], {"axis": 3})
    return T(node("Reshape", [out, const(np.array([0, -1], np.int64), "shp")]), [N, 3 * H * W * 6])

def grid_sample(x):
    # a learned sampling grid, as spatial transformers and flow warps make one
    N, C, H, W = x.shape
    g = conv(x, 2, 1, 1)
    oh, ow = (H, W) if R.random() < 0.5 else (max(1, H // 2), max(1, W // 2))
    if (oh, ow) != (H, W):
        g = T(node("AveragePool", [g.n], {"kernel_shape": [H // oh, W // ow], "strides": [H // oh, W // ow]}), [N, 2, H // (H // oh), W // (W // ow)])
    t = node("Transpose", [node("Mul", [node("Tanh", [g.n]), const(np.float32(1.3), "spread")])], {"perm": [0, 2, 3, 1]})
    mode = R.choice(["bilinear", "nearest", "bicubic"])
    y = node("GridSample", [x.n, t], {"mode": mode, "padding_mode": R.choice(["zeros", "border", "reflection"]), "align_corners": R.choice([0, 1])})
    return T(y, [N, C, g.shape[2], g.shape[3]])

def lrn(x):
    return T(node("LRN", [x.n], {"size": R.choice([3, 5]), "alpha": R.choice([1e-4, 0.1, 1.0]), "beta": 0.75, "bias": R.choice([1.0, 2.0])}), x.shape)

def lp_norm(x):
    return T(node("LpNormalization", [x.n], {"axis": 1, "p": R.choice([1, 2])}), x.shape)

def reduce_more(x):
    # a channel statistic of another kind, multiplied back
    N, C, H, W = x.shape
    op = R.choice(["ReduceL2", "ReduceL1", "ReduceSumSquare", "ReduceLogSumExp", "ReduceProd"])
    r = node(op, [x.n], {"axes": [1] if op != "ReduceProd" else [2, 3], "keepdims": 1})
    return T(node("Mul", [x.n, node("Sigmoid", [r])]), x.shape)

def recurrent(x):
    # the columns as time steps, as a CRNN reads a text line: mean over the
    # height, an RNN, GRU or LSTM along the width, back to an image of
    # height 1 (Y) or of one pixel (Y_h, Y_c)
    N, C, H, W = x.shape
    cell = R.choice(["LSTM", "GRU", "RNN"])
    G, per = {"LSTM": (4, 3), "GRU": (3, 2), "RNN": (1, 1)}[cell]
    D = R.choice([1, 1, 2])
    Hd = R.choice([R.randint(1, 40), 16, 33, chans(8, 48)])
    seq = node("Transpose", [node("ReduceMean", [x.n], {"axes": [2], "keepdims": 0})], {"perm": [2, 0, 1]})
    s = 1.2 / np.sqrt(Hd)
    ins = [seq, const(rnd(D, G * Hd, C, scale=1 / np.sqrt(C))), const(rnd(D, G * Hd, Hd, scale=s)),
           const(rnd(D, 2 * G * Hd, scale=0.3)) if R.random() < 0.8 else ""]
    attrs = {"hidden_size": Hd, "direction": "bidirectional" if D == 2 else R.choice(["forward", "reverse"])}
    if R.random() < 0.3: attrs["clip"] = R.choice([0.5, 1.0, 3.0])
    if cell == "GRU": attrs["linear_before_reset"] = R.choice([0, 1])
    if cell == "LSTM" and R.random() < 0.2: attrs["input_forget"] = 1
    if R.random() < 0.3:
        # the gates keep Sigmoid: with Tanh, Relu or Softplus gates a GRU or
        # LSTM amplifies rounding (checked: ONNX Runtime and clinfer then
        # both differ from float64 NumPy by more than the output's scale)
        names = ["Tanh", "Relu", "Softsign", "Sigmoid"]
        attrs["activations"] = [R.choice(names) if k % per or cell == "RNN" else "Sigmoid" for k in range(per * D)]
    lens = R.random() < 0.1
    ins.append(const(np.full(N, W, np.int32), "len") if lens and not DYN else "")
    states = 0 if DYN else R.choice([0, 1, 2])  # a constant state fixes the batch
    ins.append(const(rnd(D, N, Hd, scale=0.5), "h0") if states else "")
    if cell == "LSTM":
        ins.append(const(rnd(D, N, Hd, scale=0.5), "c0") if states == 2 else "")
        ins.append(const(rnd(D, 3 * Hd, scale=0.5), "p") if R.random() < 0.3 else "")
    while ins[-1] == "": ins.pop()
    outs = node(cell, ins, attrs, nout=3 if cell == "LSTM" else 2)
    which = R.choice([0, 0, 0, 1, 2]) if cell == "LSTM" else R.choice([0, 0, 1])
    if which == 0:  # Y [W, D, N, Hd] -> [N, D * Hd, 1, W]
        y = node("Transpose", [outs[0]], {"perm": [2, 1, 3, 0]})
        return T(node("Reshape", [y, const(np.array([0, D * Hd, 1, W], np.int64), "shp")]), [N, D * Hd, 1, W])
    y = node("Transpose", [outs[which]], {"perm": [1, 0, 2]})  # [N, D, Hd]
    return T(node("Reshape", [y, const(np.array([0, D * Hd, 1, 1], np.int64), "shp")]), [N, D * Hd, 1, 1])

def topk_pool(x):
    # TopK pooling, as detection heads pick their best locations: a score
    # per location (the channel maximum: no rounding of its own), the K
    # best (or worst) locations, their feature vectors gathered by the
    # indices and summed, weighted by the softmax of the scores, gating x.
    # Both outputs feed the result, but neither the order of the picks nor
    # a near tie among them changes it (rounding in earlier blocks may
    # reorder near-equal scores, differently in each engine): only which K
    # are picked does.
    N, C, H, W = x.shape
    HW = H * W
    s = node("Reshape", [node("ReduceMax", [x.n], {"axes": [1], "keepdims": 0}), const(np.array([0, -1], np.int64), "shp")])
    attrs = {"axis": R.choice([1, -1]), "largest": R.choice([0, 1])}
    if R.random() < 0.3: attrs["sorted"] = 0
    v, i = node("TopK", [s, const(np.array([R.randint(1, min(HW, 50))], np.int64), "k")], attrs, nout=2)
    f = node("Reshape", [x.n, const(np.array([0, C, HW], np.int64), "shp")])
    ie = node("Expand", [node("Unsqueeze", [i, const(np.array([1], np.int64), "ax")]), const(np.array([1, C, 1], np.int64), "shp")])
    g = node("GatherElements", [f, ie], {"axis": 2})  # [N, C, K]
    w = node("Unsqueeze", [node("Softmax", [v], {"axis": -1}), const(np.array([1], np.int64), "ax")])  # [N, 1, K]
    p = node("ReduceSum", [node("Mul", [g, w]), const(np.array([2], np.int64), "axes")], {"keepdims": 1})
    p = node("Unsqueeze", [p, const(np.array([3], np.int64), "ax")])  # [N, C, 1, 1]
    return T(node("Mul", [x.n, node("Sigmoid", [p])]), x.shape)

BLOCKS = [topk_pool, recurrent, grid_sample, lrn, lp_norm, reduce_more, reuse, reuse, unet, d2s, attention, reduce_ch, conv_block] * 4 + [dw_pw, se, inv_res, inv_res, basic_res, pool, pool, fire, resize, scale_shift,
          convnext, shuffle, norm, convT, pad, slice_ch, lambda x: act(x), lambda x: bn(x)]

DYN = R.random() < 0.3
N = R.choice([1, 1, 2, 3]); C = R.choice([1, 3, 3, 4, 8, 16]); H = R.randint(5, 40); W = R.choice([H, R.randint(5, 40)])
if BIG:
    C = R.choice([3, 16, 24, 32, 64, 96]); H = R.choice([7, 9, 13, 14, 17, 28, 30]); W = R.choice([H, R.randint(6, 30)])
x = T("input", [N, C, H, W])
first = x
for i in range(R.randint(2, 8)):
    b = R.choice(BLOCKS)
    y = b(x)
    if y is not None and all(v >= 1 for v in y.shape) and np.prod(y.shape) < 4_000_000: x = y
head = R.choice(["none", "none", "gap_fc", "flatten_fc", "softmax", "detect"])
if head != "none" and x is first: x = conv_block(x)
if head == "gap_fc":
    p = node("GlobalAveragePool", [x.n]) if R.random() < 0.7 else node("ReduceMean", [x.n], {"axes": [2, 3], "keepdims": 1})
    f = node("Flatten", [p], {"axis": 1})
    k = R.randint(2, 30)
    fc = node("Gemm", [f, const(rnd(k, x.shape[1], scale=1 / np.sqrt(x.shape[1])), "fcw"), const(rnd(k, scale=0.1), "fcb")], {"transB": 1})
    x = T(fc, [x.shape[0], k])
    if R.random() < 0.5: x = T(node("Softmax", [x.n], {"axis": -1}), x.shape)
elif head == "flatten_fc" and np.prod(x.shape[1:]) < 20000:
    f = node("Flatten", [x.n], {"axis": 1}); K = int(np.prod(x.shape[1:])); k = R.randint(2, 20)
    fc = node("Gemm", [f, const(rnd(K, k, scale=1 / np.sqrt(K)), "fcw"), const(rnd(k, scale=0.1), "fcb")])
    x = T(fc, [x.shape[0], k])
elif head == "detect":
    x = detect_head(x)
elif head == "softmax":
    x = T(node("Softmax", [x.n], {"axis": 1}), x.shape)
if x is first:
    x = act(x, "Relu")
nodes[-1].output[0] = "output"
dyn = DYN
ishape = ["N" if dyn else N, C, H, W]
g = helper.make_graph(nodes, "fz", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ishape)],
                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, (["N"] if dyn else [x.shape[0]]) + list(x.shape[1:]))], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.checker.check_model(m)
os.makedirs(out, exist_ok=True)
onnx.save(m, f"{out}/m{seed}.onnx")
np.save(f"{out}/m{seed}.in.npy", rnd(N, C, H, W))
open(f"{out}/m{seed}.txt", "w").write(f"input {N}x{C}x{H}x{W} dyn={dyn}\n" + "\n".join(desc) + "\n")
