#!/usr/bin/python3
"""The StyleGAN training step of bench_stylegan_step in PyTorch (Debian's python3-torch): the
networks of models/stylegan at their defaults (32x32 grey, latent 128, fmap_base 2048, fmap_max
128), the non-saturating logistic loss with or without R1 (gamma 10, every step), style mixing
0.9, Adam(1e-3, 0, 0.99, 1e-8) for each network and the EMA generator, batch 32 of 28x28 images
padded to 32x32, in the order of models/stylegan/training.hpp's step(). Prints the parameter
counts on stderr and one JSON line per thread count and R1 setting with ms per step.

genlab computes upsample-then-conv3 and conv3-then-average as single stride-2 convolutions
(lib/genlab/nn/fused_scale.hpp, NVlabs' fused_scale). --fused 1 does the same here; --fused 0 is the
two-step port. Both are the same function; the benchmark compares against the faster.

    /usr/bin/python3 tests/bench/stylegan_step_reference.py [--threads 1 2] [--r1 0 1] [--fused 0 1] [--seconds 5]
"""
import argparse
import copy
import json
import math
import os
import sys

# As in dcgan_step_reference.py: BLAS in the caller's thread, set before torch loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

from reference_timing import ms_per_step  # noqa: E402  (tests/bench, beside this script)

# StyleganConfig's defaults (models/stylegan/config.hpp).
RESOLUTION, CHANNELS, LATENT, MAPPING_LAYERS, MAPPING_LR = 32, 1, 128, 8, 0.01
FMAP_BASE, FMAP_MAX, MBSTD_GROUP = 2048, 128, 4
BATCH, LR, R1_GAMMA, STYLE_MIXING, W_AVG_BETA, EMA_KIMG = 32, 1e-3, 10.0, 0.9, 0.995, 10.0
SLOPE = 0.2
FUSED = False  # set by --fused


def nf(stage):
    return min(FMAP_BASE >> stage, FMAP_MAX)


def lrelu(x):
    return F.leaky_relu(x, SLOPE)


class EqualizedLinear(nn.Module):
    """Weights stored N(0, 1/lr_mul^2), scaled at run time by gain / sqrt(fan_in) * lr_mul (nn/equalized.hpp)."""

    def __init__(self, cin, cout, gain=math.sqrt(2), lr_mul=1.0, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin) / lr_mul)
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.weight_scale, self.bias_scale = gain / math.sqrt(cin) * lr_mul, lr_mul

    def forward(self, x):
        return F.linear(x, self.weight * self.weight_scale,
                        self.bias * self.bias_scale if self.bias is not None else None)


def pad_and_sum(w):
    """[O, I, 3, 3] zero-padded to 5x5 and summed over its four 4x4 windows (nn/fused_scale.hpp)."""
    w = F.pad(w, (1, 1, 1, 1))
    return w[:, :, 1:, 1:] + w[:, :, :-1, 1:] + w[:, :, 1:, :-1] + w[:, :, :-1, :-1]


class EqualizedConv2d(nn.Module):
    """Square kernel, "same" padding, stride 1, runtime weight scaling."""

    def __init__(self, cin, cout, kernel, gain=math.sqrt(2), bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.weight_scale, self.padding = gain / math.sqrt(cin * kernel * kernel), kernel // 2

    def forward(self, x):
        return F.conv2d(x, self.weight * self.weight_scale, self.bias, padding=self.padding)

    def upsample_forward(self, x):
        """self(upsample2_nearest(x))."""
        if not FUSED:
            return self(F.interpolate(x, scale_factor=2, mode="nearest"))
        kernel = pad_and_sum(self.weight.flip(2, 3) * self.weight_scale)
        return F.conv_transpose2d(x, kernel.transpose(0, 1), self.bias, stride=2, padding=1)

    def downsample_forward(self, x):
        """avg_pool2(self(x))."""
        if not FUSED:
            return F.avg_pool2d(self(x), 2)
        return F.conv2d(x, pad_and_sum(self.weight * self.weight_scale) * 0.25, self.bias, stride=2, padding=1)


def blur_kernel(channels):
    taps = torch.tensor([1.0, 2.0, 1.0])
    return (taps[:, None] * taps[None, :] / 16).expand(channels, 1, 3, 3).contiguous()


def blur(x, kernel):
    """[1, 2, 1] x [1, 2, 1] / 16 per channel, "same" size: a depthwise convolution, as nn::Blur."""
    return F.conv2d(x, kernel, padding=1, groups=x.size(1))


class Mapping(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.ModuleList(EqualizedLinear(LATENT, LATENT, lr_mul=MAPPING_LR) for _ in range(MAPPING_LAYERS))

    def forward(self, z):
        w = z * torch.rsqrt(z.square().mean(1, keepdim=True) + 1e-8)  # PixelNorm
        for layer in self.dense:
            w = lrelu(layer(w))
        return w


class SynthesisLayer(nn.Module):
    def __init__(self, cin, cout, upsample):
        super().__init__()
        self.conv = EqualizedConv2d(cin, cout, 3, bias=False) if cin > 0 else None
        self.noise_weight = nn.Parameter(torch.zeros(cout))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.style = EqualizedLinear(LATENT, 2 * cout, gain=1.0)
        self.upsample, self.channels = upsample, cout
        if upsample:
            self.register_buffer("blur", blur_kernel(cout), persistent=False)

    def forward(self, x, w, noise):
        if self.conv is not None:
            x = blur(self.conv.upsample_forward(x), self.blur) if self.upsample else self.conv(x)
        x = x + self.noise_weight.view(1, -1, 1, 1) * noise
        x = lrelu(x + self.bias.view(1, -1, 1, 1))
        s = self.style(w)
        scale, shift = s[:, :self.channels, None, None], s[:, self.channels:, None, None]
        return F.instance_norm(x, eps=1e-8) * (scale + 1) + shift  # AdaIN


def layer_resolution(i):
    return 4 << (i // 2)


def layer_channels(i):
    return nf(int(math.log2(layer_resolution(i))) - 1)


LAYERS = 2 * int(math.log2(RESOLUTION)) - 2  # 8 synthesis layers at 32x32


class Synthesis(nn.Module):
    def __init__(self):
        super().__init__()
        self.constant = nn.Parameter(torch.ones(1, nf(1), 4, 4))
        self.layers = nn.ModuleList(
            SynthesisLayer(0 if i == 0 else layer_channels(i - 1), layer_channels(i), i > 0 and i % 2 == 0)
            for i in range(LAYERS))
        self.to_rgb = EqualizedConv2d(layer_channels(LAYERS - 1), CHANNELS, 1, gain=1.0)

    def forward(self, ws, noise):
        x = self.constant.expand(ws.size(0), -1, -1, -1)
        for i, layer in enumerate(self.layers):
            x = layer(x, ws[:, i], noise[i])
        return self.to_rgb(x)  # linear, no tanh


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.mapping, self.synthesis = Mapping(), Synthesis()
        self.register_buffer("w_avg", torch.zeros(LATENT))

    def broadcast(self, w):
        return w[:, None].expand(-1, LAYERS, -1)


def minibatch_stddev(x, group):
    """Sample n in group n mod N/G; one feature, eps 1e-8 (discriminator.hpp)."""
    n, c, h, w = x.shape
    g = min(group, n)
    grouped = x.reshape(g, n // g, c, h, w)
    stddev = (grouped - grouped.mean(0, keepdim=True)).square().mean(0).add(1e-8).sqrt()
    per_group = stddev.mean((1, 2, 3), keepdim=True)
    return torch.cat([x, per_group.repeat(g, 1, h, w)], 1)


class DiscriminatorBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv, self.conv_down = EqualizedConv2d(cin, cin, 3), EqualizedConv2d(cin, cout, 3)
        self.register_buffer("blur", blur_kernel(cin), persistent=False)

    def forward(self, x):
        x = lrelu(self.conv(x))
        return lrelu(self.conv_down.downsample_forward(blur(x, self.blur)))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        r = int(math.log2(RESOLUTION))
        self.from_rgb = EqualizedConv2d(CHANNELS, nf(r - 1), 1)
        self.blocks = nn.ModuleList(DiscriminatorBlock(nf(s - 1), nf(s - 2)) for s in range(r, 2, -1))
        self.conv = EqualizedConv2d(nf(1) + 1, nf(1), 3)
        self.dense = EqualizedLinear(nf(1) * 16, nf(0))
        self.logit = EqualizedLinear(nf(0), 1, gain=1.0)

    def forward(self, images):
        x = lrelu(self.from_rgb(images))
        for block in self.blocks:
            x = block(x)
        x = lrelu(self.conv(minibatch_stddev(x, MBSTD_GROUP)))
        x = lrelu(self.dense(x.flatten(1)))
        return self.logit(x).view(-1)


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def make_step(r1):
    g, d = Generator(), Discriminator()
    ema = copy.deepcopy(g).requires_grad_(False)
    opt_g = torch.optim.Adam(g.parameters(), lr=LR, betas=(0.0, 0.99), eps=1e-8)
    opt_d = torch.optim.Adam(d.parameters(), lr=LR, betas=(0.0, 0.99), eps=1e-8)
    gamma = R1_GAMMA if r1 else 0.0  # r1_interval 1: R1 on every step, scaled by 1
    ema_decay = 0.5 ** (BATCH / (EMA_KIMG * 1000))
    # A Fashion-MNIST-shaped batch in [-1, 1]; the step pads it to 32x32 with background (-1).
    batch = torch.rand(BATCH, CHANNELS, 28, 28) * 2 - 1

    def generate(n, track_w_avg=False):
        z = torch.randn(n, LATENT)
        ws = g.broadcast(g.mapping(z))
        if track_w_avg:  # the EMA mapping's w, into the trained generator's buffer (copied to the EMA)
            with torch.no_grad():
                w = ema.mapping(z).mean(0)
                g.w_avg.copy_(w + (g.w_avg - w) * W_AVG_BETA)
        if torch.rand(()).item() < STYLE_MIXING:  # one decision per batch, crossover in [1, L)
            z2 = torch.randn(n, LATENT)
            crossover = min(1 + int(torch.rand(()).item() * (LAYERS - 1)), LAYERS - 1)
            ws = torch.cat([ws[:, :crossover], g.broadcast(g.mapping(z2))[:, crossover:]], 1)
        noise = [torch.randn(n, 1, layer_resolution(i), layer_resolution(i)) for i in range(LAYERS)]
        return g.synthesis(ws, noise)

    def step():
        real = F.pad(batch, (2, 2, 2, 2), value=-1.0)
        n = real.size(0)
        real_logits = d(real)
        fake_logits = d(generate(n).detach())
        loss_d = F.softplus(fake_logits).mean() + F.softplus(-real_logits).mean()
        if gamma > 0:
            # As losses::r1_penalty: a second forward of the real batch, whose input gradient keeps
            # its graph so that loss_d.backward() differentiates it again.
            x = real.detach().requires_grad_()
            (grad,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
            loss_d = loss_d + grad.square().sum((1, 2, 3)).mean() * (gamma / 2)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()

        loss_g = F.softplus(-d(generate(n, track_w_avg=True))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():  # optim::ema_update: parameters averaged, buffers (w_avg) copied
            for average, live in zip(ema.parameters(), g.parameters()):
                average.copy_(average * ema_decay + live * (1 - ema_decay))
            for average, live in zip(ema.buffers(), g.buffers()):
                average.copy_(live)
        return loss_d.item(), loss_g.item()

    return step, g, d


def time_steps(threads, r1, seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    step, _, _ = make_step(r1)
    return ms_per_step(step, seconds, warmup=2)  # as bench_stylegan_step's warm-up


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--r1", type=int, nargs="+", default=[0, 1], choices=[0, 1])
    parser.add_argument("--fused", type=int, nargs="+", default=[0, 1], choices=[0, 1])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    global FUSED
    _, g, d = make_step(True)
    # To compare with nn::parameter_count of the C++ model (w_avg is a buffer in both).
    print(f"parameters: G {parameter_count(g)} (mapping {parameter_count(g.mapping)}, synthesis "
          f"{parameter_count(g.synthesis)}), D {parameter_count(d)}", file=sys.stderr)
    for fused in args.fused:
        FUSED = bool(fused)
        for r1 in args.r1:
            for threads in args.threads:
                ms, steps = time_steps(threads, r1, args.seconds)
                print(json.dumps({"name": "stylegan_step/pytorch", "threads": threads, "r1": r1, "fused": fused,
                                  "resolution": RESOLUTION, "batch": BATCH, "ms_per_step": ms, "steps": steps,
                                  "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
