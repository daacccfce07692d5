#!/usr/bin/python3
"""The codec training step of bench_codec_step in PyTorch (Debian's python3-torch).

The `lab` preset of models/codec (Ballé et al.'s GDN transforms of width 64, or with
--transforms hific HiFiC's with ChannelNorm and residual blocks at the lab widths; separate mean and scale
hyper-synthesis, ELIC's checkerboard and channel context, a factorised prior and Gaussian
conditional as CompressAI's), the semantic distortion on VGG16's relu1_2 (seeded He weights),
AdamW with gradient clipping, then Adam on the quantiles' auxiliary loss. Batch 8 of 128x128.
Prints one JSON line per variant and thread count with ms per step.

    /usr/bin/python3 tests/bench/codec_step_reference.py [--threads 1 2] [--variants L0 L2] [--seconds 10] [--transforms gdn]
    /usr/bin/python3 tests/bench/codec_step_reference.py --count-parameters

glibc gives every block over 32 MB back to the kernel when it is freed, so each step would fault
its VGG feature maps (8 x 64 x 128 x 128 floats, 34 MB) in anew: on the development VM that made
a 2-thread step of the earlier batch of 4 x 256x256 take 5.4 s instead of 0.85 s. genlab's oneDNN backend reuses its buffers from a cache, so
by default the script tells malloc to keep freed memory (--default-malloc times glibc as it is).
"""
import argparse
import ctypes
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

# The lab preset, resolved (models/codec/config.cpp).
GDN_CHANNELS = 64
ANALYSIS = [16, 32, 64, 128, 256]  # of the hific transforms
LATENT = 128
HYPER = 96
RESIDUAL_BLOCKS = 3
GROUPS = [8, 8, 16, 32, LATENT - 64]
CONTEXT = [96, 64]
BATCH, CROP = 8, 128
LR, AUX_LR, CLIP = 1e-3, 1e-3, 1.0
WEIGHTS = {"L0": (10.0, 1.0, 80.0), "L1": (30.0, 1.0, 40.0), "L2": (100.0, 1.0, 10.0)}  # alpha, beta, gamma
# Rate control (rate_control.hpp) with the lab defaults: target 0.3 bpp, lambda_b = MS-ILLM's 1.0,
# warm-up for the first 10 % of 10000 steps.
TARGET_BPP, LAMBDA_A, LAMBDA_B, WARMUP_STEPS = 0.3, 0.0625, 1.0, 1000


class LowerBound(torch.autograd.Function):
    """max(x, bound) whose gradient passes where x >= bound or the gradient is negative (CompressAI)."""

    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x)
        ctx.bound = bound
        return x.clamp_min(bound)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x >= ctx.bound) | (grad < 0)).to(grad.dtype), None


def round_ste(x):
    return x + (torch.round(x) - x).detach()


def round_around(y, means):
    """round(y - mu) + mu with the straight-through estimator."""
    return round_ste(y - means) + means


class ChannelNorm(nn.Module):
    """HiFiC's ChannelNorm: each pixel over its channels, unbiased variance, eps 1e-3, affine."""

    def __init__(self, channels, eps=1e-3):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(1, channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x):
        centred = x - x.mean(1, keepdim=True)
        # As genlab writes it: sum of squares / (C - 1), not torch.var, so the same ops run.
        variance = centred.square().sum(1, keepdim=True) / max(x.size(1) - 1, 1)
        return centred * torch.rsqrt(variance + self.eps) * self.weight + self.bias


def reflect(x, p):
    return F.pad(x, (p, p, p, p), mode="reflect")


class Analysis(nn.Module):
    def __init__(self):
        super().__init__()
        c = ANALYSIS
        self.stem, self.stem_norm = nn.Conv2d(3, c[0], 7), ChannelNorm(c[0])
        self.down = nn.ModuleList(nn.Conv2d(c[i - 1], c[i], 3, 2, 1) for i in range(1, 5))
        self.down_norm = nn.ModuleList(ChannelNorm(c[i]) for i in range(1, 5))
        self.to_latent = nn.Conv2d(c[4], LATENT, 3, 1, 1)

    def forward(self, x):
        h = F.relu(self.stem_norm(self.stem(reflect(x, 3))))
        for conv, norm in zip(self.down, self.down_norm):
            h = F.relu(norm(conv(h)))
        return self.to_latent(h)


class GDN(nn.Module):
    """Ballé's generalised divisive normalisation y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)
    (inverse: the product), beta and gamma stored as square roots, initialised as CompressAI's
    (beta 1, gamma 0.1 I) (lib/genlab/nn/gdn.hpp)."""

    def __init__(self, channels, inverse=False):
        super().__init__()
        self.inverse = inverse
        self.beta_root = nn.Parameter(torch.ones(channels))
        self.gamma_root = nn.Parameter(torch.sqrt(0.1 * torch.eye(channels) + 1e-6)[:, :, None, None])

    def forward(self, x):
        norm = torch.sqrt(F.conv2d(x.square(), self.gamma_root.square(), self.beta_root.square() + 1e-6))
        return x * norm if self.inverse else x / norm


def gdn_analysis(n=GDN_CHANNELS, latents=LATENT):
    """gdn_transforms.hpp: 3 x [conv5 stride 2, GDN], conv5 stride 2 to the latents."""
    down = lambda i, o: nn.Conv2d(i, o, 5, 2, 2)
    return nn.Sequential(down(3, n), GDN(n), down(n, n), GDN(n), down(n, n), GDN(n), down(n, latents))


def gdn_synthesis(n=GDN_CHANNELS, latents=LATENT):
    """gdn_transforms.hpp: 3 x [ConvT5 stride 2, IGDN], ConvT5 stride 2 to the image."""
    up = lambda i, o: nn.ConvTranspose2d(i, o, 5, 2, 2, output_padding=1)
    return nn.Sequential(up(latents, n), GDN(n, True), up(n, n), GDN(n, True), up(n, n), GDN(n, True), up(n, 3))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.norm1 = nn.Conv2d(c, c, 3), ChannelNorm(c)
        self.conv2, self.norm2 = nn.Conv2d(c, c, 3), ChannelNorm(c)

    def forward(self, x):
        h = F.relu(self.norm1(self.conv1(reflect(x, 1))))
        return x + self.norm2(self.conv2(reflect(h, 1)))


class Synthesis(nn.Module):
    def __init__(self):
        super().__init__()
        c = ANALYSIS
        self.latent_norm = ChannelNorm(LATENT)
        self.head, self.head_norm = nn.Conv2d(LATENT, c[4], 3, 1, 1), ChannelNorm(c[4])
        self.blocks = nn.Sequential(*(ResidualBlock(c[4]) for _ in range(RESIDUAL_BLOCKS)))
        self.up = nn.ModuleList(nn.ConvTranspose2d(c[i], c[i - 1], 3, 2, 1, output_padding=1) for i in range(4, 0, -1))
        self.up_norm = nn.ModuleList(ChannelNorm(c[i - 1]) for i in range(4, 0, -1))
        self.to_image = nn.Conv2d(c[0], 3, 7)

    def forward(self, y_hat):
        h = self.head_norm(self.head(self.latent_norm(y_hat)))
        x = self.blocks(h) + h  # the global skip
        for conv, norm in zip(self.up, self.up_norm):
            x = F.relu(norm(conv(x)))
        return self.to_image(reflect(x, 3))


def hyper_analysis():
    return nn.Sequential(nn.Conv2d(LATENT, HYPER, 3, 1, 1), nn.ReLU(), nn.Conv2d(HYPER, HYPER, 5, 2, 2), nn.ReLU(),
                         nn.Conv2d(HYPER, HYPER, 5, 2, 2))


def hyper_synthesis():
    return nn.Sequential(nn.ConvTranspose2d(HYPER, HYPER, 5, 2, 2, output_padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(HYPER, HYPER, 5, 2, 2, output_padding=1), nn.ReLU(),
                         nn.Conv2d(HYPER, LATENT, 3, 1, 1))


def conv_stack(widths, kernel):
    """Convolutions between consecutive widths with ReLU between them (context_model.hpp's ConvStack)."""
    layers = []
    for i in range(1, len(widths)):
        layers.append(nn.Conv2d(widths[i - 1], widths[i], kernel, 1, kernel // 2))
        if i + 1 < len(widths):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ContextModel(nn.Module):
    """ELIC's spatial-channel context, trained in two checkerboard passes per group."""

    def __init__(self):
        super().__init__()
        hyper = 2 * LATENT
        self.channel_context, self.spatial_context = nn.ModuleList(), nn.ModuleList()
        self.anchor_parameters, self.nonanchor_parameters = nn.ModuleList(), nn.ModuleList()
        earlier = 0
        for g in GROUPS:
            # The first group has no channel context; an Identity keeps the lists aligned.
            self.channel_context.append(conv_stack([earlier] + CONTEXT + [2 * g], 5) if earlier else nn.Identity())
            self.spatial_context.append(nn.Conv2d(g, 2 * g, 5, 1, 2))
            channel = 2 * g if earlier else 0
            hidden = [2 * g * 5 // 3, 2 * g * 4 // 3, 2 * g]
            self.anchor_parameters.append(conv_stack([channel + hyper] + hidden, 1))
            self.nonanchor_parameters.append(conv_stack([2 * g + channel + hyper] + hidden, 1))
            earlier += g
        # The spatial kernel sees the taps of the other parity (odd offset sum) only.
        k = torch.arange(5) - 2
        self.register_buffer("kernel_mask", ((k[:, None] + k[None, :]) % 2 != 0).float())

    def forward(self, y, hyper):
        h, w = y.shape[2:]
        r = torch.arange(h)[:, None] + torch.arange(w)[None, :]
        anchors = (r % 2 == 0).float()  # (0, 0) is an anchor
        others = 1.0 - anchors
        decoded, means, scales = [], [], []
        start = 0
        for k, g in enumerate(GROUPS):
            y_k = y[:, start:start + g]
            inputs = [self.channel_context[k](torch.cat(decoded, 1))] if k else []
            inputs.append(hyper)
            mean_a, scale_a = self.anchor_parameters[k](torch.cat(inputs, 1)).split(g, 1)
            anchors_hat = round_around(y_k, mean_a) * anchors
            spatial = self.spatial_context[k]
            inputs.insert(0, F.conv2d(anchors_hat, spatial.weight * self.kernel_mask, spatial.bias, padding=2))
            mean_n, scale_n = self.nonanchor_parameters[k](torch.cat(inputs, 1)).split(g, 1)
            mean = mean_a * anchors + mean_n * others
            scale = scale_a * anchors + scale_n * others
            decoded.append(round_around(y_k, mean))
            means.append(mean)
            scales.append(scale)
            start += g
        return torch.cat(decoded, 1), torch.cat(means, 1), torch.cat(scales, 1)


class FactorizedPrior(nn.Module):
    """Ballé's factorised density (CompressAI's EntropyBottleneck), filters (3, 3, 3, 3) as genlab's."""

    def __init__(self, channels, filters=(3, 3, 3, 3), init_scale=10.0, tail_mass=1e-9, bound=1e-9):
        super().__init__()
        self.tail_mass, self.bound = tail_mass, bound
        widths = (1,) + tuple(filters) + (1,)
        scale = init_scale ** (1 / (len(widths) - 1))
        self.matrices, self.biases, self.factors = nn.ParameterList(), nn.ParameterList(), nn.ParameterList()
        for k in range(len(widths) - 1):
            out, inp = widths[k + 1], widths[k]
            init = math.log(math.expm1(1 / scale / out))
            self.matrices.append(nn.Parameter(torch.full((channels, out, inp), init)))
            self.biases.append(nn.Parameter(torch.rand(channels, out, 1) - 0.5))
            if k + 2 < len(widths):
                self.factors.append(nn.Parameter(torch.zeros(channels, out, 1)))
        self.quantiles = nn.Parameter(torch.tensor([-init_scale, 0.0, init_scale]).repeat(channels, 1, 1))

    def logits_cumulative(self, x, detach=False):
        d = (lambda p: p.detach()) if detach else (lambda p: p)
        for k, (matrix, bias) in enumerate(zip(self.matrices, self.biases)):
            x = torch.matmul(F.softplus(d(matrix)), x) + d(bias)
            if k < len(self.factors):
                x = x + torch.tanh(d(self.factors[k])) * torch.tanh(x)
        return x

    def likelihood(self, values):
        v = values.transpose(0, 1)  # channels first
        flat = v.reshape(v.size(0), 1, -1)
        lower, upper = self.logits_cumulative(flat - 0.5), self.logits_cumulative(flat + 0.5)
        # genlab's tail-preserving form of sigmoid(upper) - sigmoid(lower).
        p = torch.sigmoid(upper) * torch.sigmoid(-lower) - torch.sigmoid(lower) * torch.sigmoid(-upper)
        return LowerBound.apply(p, self.bound).reshape(v.shape).transpose(0, 1)

    def medians(self):
        return self.quantiles[:, 0, 1].detach().view(1, -1, 1, 1)

    def quantile_loss(self):
        t = math.log(2 / self.tail_mass - 1)
        logits = self.logits_cumulative(self.quantiles, detach=True)
        return (logits - torch.tensor([-t, 0.0, t])).abs().sum()


def gaussian_likelihood(values, scales, means, scale_bound=0.11, bound=1e-9):
    """CompressAI's GaussianConditional likelihood with the means."""
    sigma = LowerBound.apply(scales, scale_bound)
    v = (values - means).abs()
    phi = lambda t: 0.5 * torch.erfc(-t / math.sqrt(2))
    return LowerBound.apply(phi((0.5 - v) / sigma) - phi((-0.5 - v) / sigma), bound)


def bits_per_image(likelihoods):
    return likelihoods.log().sum(dim=tuple(range(1, likelihoods.dim()))) / -math.log(2)


class Codec(nn.Module):
    def __init__(self, transforms="gdn"):
        super().__init__()
        if transforms == "gdn":
            self.analysis, self.synthesis = gdn_analysis(), gdn_synthesis()
        else:
            self.analysis, self.synthesis = Analysis(), Synthesis()
        self.hyper_analysis = hyper_analysis()
        self.hyper_synthesis_mean, self.hyper_synthesis_scale = hyper_synthesis(), hyper_synthesis()
        self.context = ContextModel()
        self.hyper_prior = FactorizedPrior(HYPER)

    def train_forward(self, x):
        """model.hpp: noised latents for the rate, straight-through rounded ones for the synthesis."""
        y = self.analysis(x)
        z = self.hyper_analysis(y)
        z_noised = z + torch.rand_like(z) - 0.5
        z_likelihoods = self.hyper_prior.likelihood(z_noised)
        z_hat = round_around(z, self.hyper_prior.medians())
        z_hat_likelihoods = self.hyper_prior.likelihood(z_hat)
        psi = torch.cat([self.hyper_synthesis_mean(z_hat), self.hyper_synthesis_scale(z_hat)], 1)
        y_hat, means, scales = self.context(y, psi)
        y_noised = y + torch.rand_like(y) - 0.5
        y_likelihoods = gaussian_likelihood(y_noised, scales, means)
        x_hat = self.synthesis(y_hat)
        with torch.no_grad():
            rounded_bits = bits_per_image(gaussian_likelihood(y_hat, scales, means)) + bits_per_image(z_hat_likelihoods)
        return x_hat, bits_per_image(y_likelihoods) + bits_per_image(z_likelihoods), rounded_bits


class Vgg16Stage1(nn.Module):
    """VGG16's first stage (conv1_1, conv1_2 to relu1_2) with seeded He weights, frozen."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 64, 3, 1, 1), nn.Conv2d(64, 64, 3, 1, 1)
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        self.requires_grad_(False)
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, images):
        x = ((images + 1) * 0.5 - self.mean) / self.std  # [-1, 1] to ImageNet's normalisation
        return F.relu(self.conv2(F.relu(self.conv1(x))))


def patch_gram(f, patch=16):
    """Gram matrices of every patch x patch block, normalised by C x patch^2 (feature_losses.hpp)."""
    n, c, h, w = f.shape
    blocks = f.reshape(n, c, h // patch, patch, w // patch, patch).permute(0, 2, 4, 1, 3, 5)
    m = blocks.reshape(-1, c, patch * patch)
    return torch.matmul(m, m.transpose(1, 2)) / (c * patch * patch)


def distortion(vgg, x_hat, x, alpha, beta, gamma):
    """semantic_loss.hpp: alpha Charbonnier + beta perceptual + gamma style, one VGG stage."""
    charbonnier = torch.sqrt(((x_hat + 1) * 0.5 - (x + 1) * 0.5).square() + 1e-3 ** 2).mean()
    ours = vgg(x_hat)
    with torch.no_grad():
        theirs = vgg(x)
    perceptual = (ours - theirs).square().mean()
    style = (patch_gram(ours) - patch_gram(theirs)).square().mean()
    return alpha * charbonnier + beta * perceptual + gamma * style, charbonnier, perceptual, style


def rate_lambda(rounded_bpp, step):
    """MS-ILLM's per-image lambda* (rate_control.hpp)."""
    warm = step < WARMUP_STEPS
    target, lambda_b = (TARGET_BPP * 1.429, LAMBDA_B / 2) if warm else (TARGET_BPP, LAMBDA_B)
    return [lambda_b if r > target else LAMBDA_A for r in rounded_bpp]


def keep_freed_memory():
    """Serve large blocks from the heap and never trim it (GLIBC_TUNABLES mmap_max=0, trim_threshold)."""
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_max = -1, -4  # malloc.h
    if not (libc.mallopt(m_mmap_max, 0) and libc.mallopt(m_trim_threshold, 2 ** 31 - 1)):
        raise OSError("mallopt failed")


def main_parameters(codec):
    return [p for name, p in codec.named_parameters() if name != "hyper_prior.quantiles"]


def make_step(variant, transforms):
    alpha, beta, gamma = WEIGHTS[variant]
    codec, vgg = Codec(transforms), Vgg16Stage1()
    params = main_parameters(codec)
    opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    aux_opt = torch.optim.Adam([codec.hyper_prior.quantiles], lr=AUX_LR)
    x = torch.rand(BATCH, 3, CROP, CROP) * 2 - 1
    pixels = CROP * CROP
    step_count = [0]

    def step():
        x_hat, bits, rounded_bits = codec.train_forward(x)
        bpp = bits / pixels
        lam = torch.tensor(rate_lambda((rounded_bits / pixels).tolist(), step_count[0]))
        d, charbonnier, perceptual, style = distortion(vgg, x_hat, x, alpha, beta, gamma)
        loss = (lam * bpp).mean() + d
        opt.zero_grad()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        aux_opt.zero_grad()
        aux = codec.hyper_prior.quantile_loss()
        aux.backward()
        aux_opt.step()
        step_count[0] += 1
        # The values genlab's step reports, PSNR included, so both read the same results back.
        with torch.no_grad():
            mse = (x_hat.clamp(-1, 1) - x).square().mean((1, 2, 3))
            psnr = (10 * torch.log10(4.0 / mse)).mean()
            return [v.item() for v in (loss, bpp.mean(), psnr, charbonnier, perceptual, style, aux, grad_norm)]

    return step, codec


def count_parameters(codec):
    total = sum(p.numel() for p in codec.parameters() if p.requires_grad)
    quantiles = codec.hyper_prior.quantiles.numel()
    return total, quantiles


def time_steps(threads, variant, seconds, transforms):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    step, _ = make_step(variant, transforms)
    return ms_per_step(step, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--variants", nargs="+", default=["L0", "L2"], choices=sorted(WEIGHTS))
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per configuration")
    parser.add_argument("--transforms", default="gdn", choices=["gdn", "hific"],
                        help="the lab preset's GDN transforms or HiFiC's at the lab widths")
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's malloc as it is (large blocks go back to the kernel at every free)")
    parser.add_argument("--count-parameters", action="store_true",
                        help="print the codec's trainable parameter count (VGG excluded) and exit")
    args = parser.parse_args()
    if not args.default_malloc:
        keep_freed_memory()
    torch.manual_seed(0)
    total, quantiles = count_parameters(Codec(args.transforms))
    if args.count_parameters:
        print(json.dumps({"name": "codec_step/pytorch", "parameters": total, "quantiles": quantiles,
                          "main_parameters": total - quantiles}))
        return
    print(f"codec parameters: {total} ({total - quantiles} under AdamW, {quantiles} quantiles)", file=sys.stderr)
    for variant in args.variants:
        for threads in args.threads:
            ms, steps = time_steps(threads, variant, args.seconds, args.transforms)
            print(json.dumps({"name": "codec_step/pytorch", "variant": variant, "threads": threads,
                              "ms_per_step": ms, "steps": steps, "torch": torch.__version__,
                              "batch": BATCH, "crop": CROP,
                              "malloc": "default" if args.default_malloc else "keep-freed"}), flush=True)


if __name__ == "__main__":
    main()
