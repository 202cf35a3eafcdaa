#!/usr/bin/python3
"""model_survey.py — the "modern CNN" survey: exports torchvision's
classification, segmentation and video models and a set of small
hand-written networks (U-Net, YOLO-style head, ESPCN, fast neural style,
DCGAN generator, M5 1-D audio CNN, an activations net, a Caffe-era net with
local response normalisation and a normalised embedding, a flow warp by
grid_sample, a CRNN text recogniser, a GRU keyword spotter, a SegNet with
max unpooling) with random
weights, runs each through `clinfer run`, and compares clinfer's output
with PyTorch's. Prints one line per model and a pass table.

Usage: /usr/bin/python3 tests/bench/model_survey.py [--dir DIR] [--build BUILD]
           [--only NAME[,NAME..]] [--list] [--timeout S] [--resize F]
(Debian's python3-torch, python3-torchvision, python3-onnx, python3-numpy.)

A model passes when clinfer loads and runs it and every output satisfies
max |clinfer - PyTorch| <= 1e-3 * max |PyTorch| (the issue's "1e-3 of the
output's scale"). A model clinfer refuses is REFUSED with clinfer's first
error line (which names the op); a model that runs but differs is WRONG.
Exports are cached in DIR (default build/survey) and reused. With
--resize F each model is also exported with symbolic spatial sizes and run
(`clinfer run` takes the sizes from its input file) at its sizes times F,
against PyTorch at that size, where the model takes other sizes.

The reference is PyTorch's own forward pass, independent of the ONNX file.
Weights: torchvision's initialisation under a fixed seed; BatchNorm
statistics randomised (weight/variance in [0.5, 1.5], bias/mean in
[-0.1, 0.1]) so that folding is exercised; parameters initialised to all
zeros (ViT's head) get small random values, so no output is a constant. Opset 17 (the newest this
torch exports).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

OPSET = 17
SEED = 1234


# ----------------------------------------------------------- small networks

class UNet(nn.Module):
    """Two-level U-Net: conv blocks, max pool, ConvTranspose up, Concat skip."""

    def __init__(self, c=8):
        super().__init__()

        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(),
                                 nn.Conv2d(o, o, 3, padding=1), nn.ReLU())
        self.d1, self.d2, self.mid = block(3, c), block(c, 2 * c), block(2 * c, 4 * c)
        self.u2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.b2 = block(4 * c, 2 * c)
        self.u1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.b1 = block(2 * c, c)
        self.out = nn.Conv2d(c, 2, 1)

    def forward(self, x):
        d1 = self.d1(x)
        d2 = self.d2(nn.functional.max_pool2d(d1, 2))
        m = self.mid(nn.functional.max_pool2d(d2, 2))
        u2 = self.b2(torch.cat([self.u2(m), d2], 1))
        u1 = self.b1(torch.cat([self.u1(u2), d1], 1))
        return self.out(u1)


class YoloHead(nn.Module):
    """A YOLO-style neck/head: SiLU convs, nearest 2x Upsample, Concat, Split."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.SiLU(),
                                  nn.Conv2d(16, 32, 3, 2, 1), nn.SiLU())
        self.down = nn.Sequential(nn.Conv2d(32, 64, 3, 2, 1), nn.SiLU())
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.head = nn.Conv2d(96, 3 * 9, 1)

    def forward(self, x):
        p3 = self.stem(x)
        p4 = self.down(p3)
        y = self.head(torch.cat([self.up(p4), p3], 1))
        xy, wh, conf = torch.split(y, [6, 6, 15], dim=1)
        return torch.cat([xy.sigmoid(), wh.exp(), conf.sigmoid()], 1)


class ESPCN(nn.Module):
    """Super-resolution (Shi et al. 2016): tanh convs then PixelShuffle(3)."""

    def __init__(self, r=3):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 64, 5, padding=2), nn.Tanh(),
                                  nn.Conv2d(64, 32, 3, padding=1), nn.Tanh(),
                                  nn.Conv2d(32, r * r, 3, padding=1))
        self.shuffle = nn.PixelShuffle(r)

    def forward(self, x):
        return self.shuffle(self.body(x))


class FastStyle(nn.Module):
    """Fast neural style (Johnson et al.): reflection pad, InstanceNorm,
    residual blocks, nearest Upsample + conv decoder."""

    def __init__(self):
        super().__init__()

        def conv(i, o, k, s=1):
            return nn.Sequential(nn.ReflectionPad2d(k // 2), nn.Conv2d(i, o, k, s),
                                 nn.InstanceNorm2d(o, affine=True), nn.ReLU())
        self.enc = nn.Sequential(conv(3, 16, 9), conv(16, 32, 3, 2), conv(32, 64, 3, 2))
        self.res = nn.ModuleList([nn.Sequential(conv(64, 64, 3), nn.ReflectionPad2d(1),
                                                nn.Conv2d(64, 64, 3),
                                                nn.InstanceNorm2d(64, affine=True))
                                  for _ in range(2)])
        self.dec = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), conv(64, 32, 3),
                                 nn.Upsample(scale_factor=2, mode="nearest"), conv(32, 16, 3),
                                 nn.ReflectionPad2d(4), nn.Conv2d(16, 3, 9))

    def forward(self, x):
        y = self.enc(x)
        for r in self.res:
            y = y + r(y)
        return self.dec(y)


class DCGANGenerator(nn.Module):
    """DCGAN generator: ConvTranspose 4x4 stride 2, BatchNorm, ReLU, Tanh."""

    def __init__(self, nz=32, ngf=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4),
            nn.ReLU(),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2),
            nn.ReLU(),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(),
            nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.net(z)


class M5(nn.Module):
    """M5 raw-audio classifier (Dai et al. 2017): 1-D conv/BN/ReLU/MaxPool."""

    def __init__(self, n_out=10, c=32):
        super().__init__()
        layers, i = [], 1
        for k, s, o in [(80, 16, c), (3, 1, c), (3, 1, 2 * c), (3, 1, 2 * c)]:
            layers += [nn.Conv1d(i, o, k, s), nn.BatchNorm1d(o), nn.ReLU(), nn.MaxPool1d(4)]
            i = o
        self.net = nn.Sequential(*layers)
        self.fc = nn.Linear(2 * c, n_out)

    def forward(self, x):
        y = self.net(x)
        y = nn.functional.adaptive_avg_pool1d(y, 1).squeeze(-1)
        return nn.functional.log_softmax(self.fc(y), dim=1)


class Activations(nn.Module):
    """Every activation of the modern-ops list after a conv."""

    def __init__(self):
        super().__init__()
        acts = [nn.GELU(), nn.GELU(approximate="tanh"), nn.Hardswish(), nn.Hardsigmoid(),
                nn.ELU(), nn.SELU(), nn.CELU(), nn.Softplus(), nn.Softsign(), nn.Mish(),
                nn.PReLU(8), nn.SiLU(), nn.LeakyReLU(0.1), nn.ReLU6()]
        self.body = nn.Sequential(*[m for a in acts for m in (nn.Conv2d(8, 8, 3, padding=1), a)])
        self.stem = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        return self.body(self.stem(x))


class FlowWarp(nn.Module):
    """A spatial transformer / flow warp: a small CNN predicts an offset
    field, and grid_sample resamples the input along it three ways
    (bilinear with zeros, bicubic with border, nearest with reflection
    padding; GridSample in ONNX)."""

    def __init__(self):
        super().__init__()
        self.flow = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
                                  nn.Conv2d(16, 2, 3, padding=1), nn.Tanh())

    def forward(self, x):
        n, _, h, w = x.shape
        ys = torch.linspace(-1, 1, h).view(1, h, 1, 1).expand(n, h, w, 1)
        xs = torch.linspace(-1, 1, w).view(1, 1, w, 1).expand(n, h, w, 1)
        grid = torch.cat([xs, ys], 3) + 0.6 * self.flow(x).permute(0, 2, 3, 1)
        f = nn.functional.grid_sample
        return torch.cat([f(x, grid, "bilinear", "zeros", align_corners=False),
                          f(x, grid, "bicubic", "border", align_corners=True),
                          f(x, grid, "nearest", "reflection", align_corners=False)], 1)


class ClassicEmbed(nn.Module):
    """Caffe-era blocks (AlexNet's and GoogLeNet's local response
    normalisation, ceil-mode pooling) and an embedding head normalised as
    face and re-identification networks do (F.normalize: ReduceL2)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 24, 7, stride=2, padding=3), nn.ReLU(),
            nn.MaxPool2d(3, 2, ceil_mode=True), nn.LocalResponseNorm(5, alpha=0.05, beta=0.75, k=2.0),
            nn.Conv2d(24, 48, 3, padding=1), nn.ReLU(), nn.LocalResponseNorm(4, alpha=0.5),
            nn.MaxPool2d(3, 2, ceil_mode=True))
        self.fc = nn.Linear(48, 32)

    def forward(self, x):
        y = self.body(x).mean((2, 3))
        return nn.functional.normalize(self.fc(y), dim=1)


class CRNN(nn.Module):
    """A CRNN text-line recogniser (Shi et al. 2015; EasyOCR's and older
    PaddleOCR's form): a conv stack down to a height of 1, the columns as
    time steps, two bidirectional LSTM layers, per-step class scores."""

    def __init__(self, classes=37):
        super().__init__()

        def conv(i, o, pool):
            return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(),
                    nn.MaxPool2d(pool, pool)]
        self.cnn = nn.Sequential(*conv(1, 32, (2, 2)), *conv(32, 64, (2, 2)),
                                 *conv(64, 96, (2, 1)), *conv(96, 128, (2, 1)),
                                 nn.Conv2d(128, 128, (2, 1)), nn.ReLU())
        self.rnn = nn.LSTM(128, 64, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(128, classes)

    def forward(self, x):
        f = self.cnn(x).squeeze(2).permute(2, 0, 1)  # [T, N, C]
        y, _ = self.rnn(f)
        return nn.functional.log_softmax(self.fc(y), dim=2)


class KeywordGRU(nn.Module):
    """A keyword spotter over MFCC frames: Conv1d, a batch-first GRU whose
    last hidden state (Y_h) and mean output both feed the head, and a
    ReLU nn.RNN after it."""

    def __init__(self, n_mfcc=40, classes=12):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(n_mfcc, 64, 3, padding=1), nn.ReLU())
        self.gru = nn.GRU(64, 48, batch_first=True)
        self.rnn = nn.RNN(48, 32, nonlinearity="relu", batch_first=True)
        self.fc = nn.Linear(48 + 32, classes)

    def forward(self, x):
        f = self.conv(x).transpose(1, 2)  # [N, T, 64]
        y, h = self.gru(f)
        z, _ = self.rnn(y)
        return self.fc(torch.cat([h[-1], z.mean(1)], 1))


class Unpool2x2(torch.autograd.Function):
    """nn.MaxUnpool2d(2, 2) with PyTorch's indices (per plane of `ref`, the
    tensor that was pooled), exported as ONNX MaxUnpool: torch 1.13 exports
    no aten::max_unpool2d. The export turns the indices back into ONNX's
    (flat in the whole tensor) by adding each plane's first index, as the
    export of MaxPool's indices took it away (a MaxPool of kernel 1 over
    `ref`, its first element per plane), and gives Shape(ref) as
    output_shape: the pooled sizes are even, so it is the default size,
    where ONNX's reference and ONNX Runtime agree."""

    @staticmethod
    def forward(ctx, y, idx, ref):
        return nn.functional.max_unpool2d(y, idx, 2, 2, output_size=ref.shape[2:])

    @staticmethod
    def symbolic(g, y, idx, ref):
        _, base = g.op("MaxPool", ref, outputs=2, kernel_shape_i=[1, 1], strides_i=[1, 1])
        zeros = g.op("Constant", value_t=torch.tensor([0, 0]))
        ones = g.op("Constant", value_t=torch.tensor([1, 1]))
        axes = g.op("Constant", value_t=torch.tensor([2, 3]))
        first = g.op("Slice", base, zeros, ones, axes)
        flat = g.op("Add", idx, first)
        return g.op("MaxUnpool", y, flat, g.op("Shape", ref), kernel_shape_i=[2, 2],
                    strides_i=[2, 2])


class SegNet(nn.Module):
    """A two-level SegNet: conv + BN + ReLU encoder blocks, each followed by
    MaxPool2d(2, 2, return_indices=True); a decoder unpooling with those
    indices (Unpool2x2) before its convs. The first conv (kernel 4, pad 1)
    takes the odd input (41 x 53, 53 x 69 resized) to sizes the pools halve
    exactly."""

    def __init__(self, c=8, classes=5):
        super().__init__()

        def block(i, o, k=3, p=1):
            return nn.Sequential(nn.Conv2d(i, o, k, padding=p), nn.BatchNorm2d(o), nn.ReLU())
        self.e1, self.e2 = block(3, c, 4, 1), block(c, 2 * c)
        self.pool = nn.MaxPool2d(2, 2, return_indices=True)
        self.d2, self.d1 = block(2 * c, c), block(c, c)
        self.out = nn.Conv2d(c, classes, 1)

    def forward(self, x):
        a = self.e1(x)
        p1, i1 = self.pool(a)
        b = self.e2(p1)
        p2, i2 = self.pool(b)
        u2 = self.d2(Unpool2x2.apply(p2, i2, b))
        u1 = self.d1(Unpool2x2.apply(u2, i1, a))
        return self.out(u1)


class SegWrap(nn.Module):
    """torchvision segmentation models return a dict; keep `out`."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x)["out"]


# ------------------------------------------------------------------ the list

def tv(name, **kw):
    return lambda: torchvision.models.get_model(name, weights=None, **kw)


def seg(name, **kw):
    return lambda: SegWrap(torchvision.models.get_model(name, weights=None, weights_backbone=None,
                                                        **kw))


IMG = (1, 3, 224, 224)
# (name, constructor, input shape)
MODELS = [
    ("alexnet", tv("alexnet"), IMG),
    ("vgg11", tv("vgg11"), IMG),
    ("resnet18", tv("resnet18"), IMG),
    ("resnet50", tv("resnet50"), IMG),
    ("resnext50_32x4d", tv("resnext50_32x4d"), IMG),
    ("wide_resnet50_2", tv("wide_resnet50_2"), IMG),
    ("densenet121", tv("densenet121"), IMG),
    ("inception_v3", tv("inception_v3", aux_logits=False, init_weights=True), (1, 3, 299, 299)),
    ("googlenet", tv("googlenet", aux_logits=False, init_weights=True), IMG),
    ("mobilenet_v2", tv("mobilenet_v2"), IMG),
    ("mobilenet_v3_small", tv("mobilenet_v3_small"), IMG),
    ("mobilenet_v3_large", tv("mobilenet_v3_large"), IMG),
    ("mnasnet0_5", tv("mnasnet0_5"), IMG),
    ("shufflenet_v2_x0_5", tv("shufflenet_v2_x0_5"), IMG),
    ("squeezenet1_1", tv("squeezenet1_1"), IMG),
    ("efficientnet_b0", tv("efficientnet_b0"), IMG),
    ("efficientnet_v2_s", tv("efficientnet_v2_s"), IMG),
    ("regnet_x_400mf", tv("regnet_x_400mf"), IMG),
    ("regnet_y_400mf", tv("regnet_y_400mf"), IMG),
    ("convnext_tiny", tv("convnext_tiny"), IMG),
    ("swin_t", tv("swin_t"), IMG),
    ("vit_b_16", tv("vit_b_16"), IMG),
    ("maxvit_t", tv("maxvit_t"), IMG),
    ("fcn_resnet50", seg("fcn_resnet50", aux_loss=False), (1, 3, 256, 256)),
    ("deeplabv3_mobilenet_v3_large", seg("deeplabv3_mobilenet_v3_large", aux_loss=False),
     (1, 3, 256, 256)),
    ("lraspp_mobilenet_v3_large", seg("lraspp_mobilenet_v3_large"), (1, 3, 256, 256)),
    ("r3d_18", tv("r3d_18"), (1, 3, 8, 112, 112)),
    ("r2plus1d_18", tv("r2plus1d_18"), (1, 3, 8, 112, 112)),
    ("unet", UNet, (1, 3, 96, 128)),
    ("yolo_head", YoloHead, (1, 3, 160, 192)),
    ("espcn", ESPCN, (1, 1, 60, 84)),
    ("fast_style", FastStyle, (1, 3, 96, 128)),
    ("dcgan_generator", DCGANGenerator, (1, 32, 1, 1)),
    ("m5_audio", M5, (1, 1, 8000)),
    ("activations", Activations, (1, 3, 33, 47)),
    ("classic_embed", ClassicEmbed, (1, 3, 67, 75)),
    ("flow_warp", FlowWarp, (1, 3, 37, 53)),
    ("crnn_ocr", CRNN, (1, 1, 32, 100)),
    ("keyword_gru", KeywordGRU, (1, 40, 61)),
    ("segnet", SegNet, (1, 3, 41, 53)),
]


def randomize_batchnorm(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(c, generator=gen) * 0.2 - 0.1)
                m.running_mean.copy_(torch.rand(c, generator=gen) * 0.2 - 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)


def randomize_zero_params(model, gen):
    """Parameters initialised to all zeros (ViT's classifier head, some
    layer-scale factors) get small random values, so that the output is not
    a constant and the comparison means something."""
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() > 1 and not torch.any(p != 0):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.02)


def export(name, ctor, shape, d, index):
    """Writes NAME.onnx, NAME.input.npy and NAME.output.npy into d."""
    path = os.path.join(d, name + ".onnx")
    files = (".onnx", ".input.npy", ".output.npy")
    if all(os.path.exists(os.path.join(d, name + s)) for s in files):
        return path
    torch.manual_seed(SEED + index)
    model = ctor()
    randomize_batchnorm(model, torch.Generator().manual_seed(SEED + 100 + index))
    randomize_zero_params(model, torch.Generator().manual_seed(SEED + 200 + index))
    model.eval()
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(SEED))
    with torch.no_grad():
        y = model(x)
    # exported with gradients on: under no_grad, nn.MultiheadAttention takes
    # its fused fast path (aten::_native_multi_head_attention), which this
    # torch cannot export (ViT)
    torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    np.save(os.path.join(d, name + ".input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(d, name + ".output.npy"), y.numpy().astype(np.float32))
    return path


def export_other_size(name, ctor, shape, d, index, factor):
    """The model again with its spatial sizes symbolic (NAME.dyn.onnx) and
    PyTorch's output at sizes scaled by factor (rounded: odd sizes too);
    None when the model itself does not take that size (ViT, Swin, ...)."""
    dyn = name + ".dyn"
    new_shape = list(shape[:2]) + [max(1, int(round(s * factor))) for s in shape[2:]]
    files = (".onnx", ".input.npy", ".output.npy")
    if all(os.path.exists(os.path.join(d, dyn + s)) for s in files):
        return new_shape
    torch.manual_seed(SEED + index)
    model = ctor()
    randomize_batchnorm(model, torch.Generator().manual_seed(SEED + 100 + index))
    randomize_zero_params(model, torch.Generator().manual_seed(SEED + 200 + index))
    model.eval()
    x = torch.randn(*new_shape, generator=torch.Generator().manual_seed(SEED + 1))
    try:
        with torch.no_grad():
            y = model(x)
    except Exception:
        return None
    axes = {"input": {k: "s%d" % k for k in range(2, len(shape))}}
    torch.onnx.export(model, torch.randn(*shape), os.path.join(d, dyn + ".onnx"),
                      opset_version=OPSET, input_names=["input"], output_names=["output"],
                      do_constant_folding=True, dynamic_axes=axes)
    np.save(os.path.join(d, dyn + ".input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(d, dyn + ".output.npy"), y.numpy().astype(np.float32))
    return new_shape


def first_error(text):
    """clinfer's first error line, from the ONNX node it names on."""
    for line in text.splitlines():
        if "error" in line.lower() or "not supported" in line or "unsupported" in line:
            at = line.find("node \"")
            return line[at if at >= 0 else 0:].strip()[:200]
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip()[:160] if lines else "(no output)"


def run_clinfer(build, d, name, timeout):
    out = os.path.join(d, name + ".clinfer")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.remove(os.path.join(out, f))
    cmd = [os.path.join(build, "clinfer"), "run", os.path.join(d, name + ".onnx"), "--input",
           os.path.join(d, name + ".input.npy"), "--output-dir", out]
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "TIMEOUT", "over %d s" % timeout, time.time() - t0
    secs = time.time() - t0
    if p.returncode != 0:
        return "REFUSED" if p.returncode in (1, 2) else "CRASH(%d)" % p.returncode, \
            first_error(p.stderr + p.stdout), secs
    ref = np.load(os.path.join(d, name + ".output.npy")).astype(np.float64)
    got_path = os.path.join(out, "output.npy")
    if not os.path.exists(got_path):
        return "WRONG", "no output.npy written", secs
    got = np.load(got_path).astype(np.float64)
    if got.shape != ref.shape:
        return "WRONG", "shape %s, PyTorch %s" % (got.shape, ref.shape), secs
    scale = float(np.max(np.abs(ref))) or 1.0
    err = float(np.max(np.abs(got - ref))) if got.size else 0.0
    if not np.all(np.isfinite(got)) or err > 1e-3 * scale:
        return "WRONG", "max abs err %.3g, output scale %.3g" % (err, scale), secs
    return "PASS", "max abs err %.3g (%.1e of scale %.3g)" % (err, err / scale, scale), secs


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, "..", "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(root, "build", "survey"))
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--only", help="comma-separated model names")
    ap.add_argument("--list", action="store_true", help="print the model names and exit")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per clinfer run")
    ap.add_argument("--resize", type=float, default=0,
                    help="also run each model exported with symbolic spatial sizes at its "
                         "sizes times this factor (e.g. 1.3), where PyTorch takes that size")
    args = ap.parse_args()
    if args.list:
        print("\n".join(m[0] for m in MODELS))
        return 0
    only = set(args.only.split(",")) if args.only else None
    os.makedirs(args.dir, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    rows = []
    for index, (name, ctor, shape) in enumerate(MODELS):
        if only and name not in only:
            continue
        try:
            export(name, ctor, shape, args.dir, index)
        except Exception as e:  # an export this torch cannot do is not clinfer's failure
            rows.append((name, "NO-EXPORT", str(e).splitlines()[0][:160], 0.0))
            print("%-30s %-9s %s" % rows[-1][:3], flush=True)
            continue
        status, detail, secs = run_clinfer(args.build, args.dir, name, args.timeout)
        rows.append((name, status, detail, secs))
        print("%-30s %-9s %6.1f s  %s" % (name, status, secs, detail), flush=True)
        if args.resize:
            other = export_other_size(name, ctor, shape, args.dir, index, args.resize)
            if other is None:
                print("%-30s %-9s the model does not take other sizes" % (name + "@other", "N/A"))
                continue
            label = "%s@%s" % (name, "x".join(str(v) for v in other[2:]))
            status, detail, secs = run_clinfer(args.build, args.dir, name + ".dyn", args.timeout)
            rows.append((label, status, detail, secs))
            print("%-30s %-9s %6.1f s  %s" % (label, status, secs, detail), flush=True)
    counts = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    print("\n| model | result | detail |\n| --- | --- | --- |")
    for name, status, detail, _ in rows:
        print("| %s | %s | %s |" % (name, status, detail.replace("|", "/")))
    print("\n" + ", ".join("%s %d" % kv for kv in sorted(counts.items())) +
          " of %d models" % len(rows))
    return 0 if counts.get("PASS", 0) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
