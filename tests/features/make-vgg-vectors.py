#!/usr/bin/python3
"""Reference outputs of VGG16/VGG19 trunks, LPIPS v0.1 and DISTS for tests/features/test_vgg.cpp,
computed by an independent PyTorch implementation (torch.nn.functional only) on weights and images
from the closed formula of tests/support/formula_weights.hpp (see make-inception-vectors.py):
ordinals count the sorted keys of each state dict separately (the VGG trunk; LPIPS's lin layers;
DISTS's alpha and beta). Run with Debian's python3-torch:

    /usr/bin/python3 tests/features/make-vgg-vectors.py > tests/features/vectors/vgg.txt
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def formula(shape, ordinal, amplitude, offset=0.0):
    count = math.prod(shape)
    x = (np.uint64(ordinal) << np.uint64(32)) + np.arange(count, dtype=np.uint64)
    u = (splitmix64(x) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    values = (offset + amplitude * (2.0 * u - 1.0)).astype(np.float32).astype(np.float64)
    return torch.from_numpy(values).reshape(shape)


def vgg_layers(depth):
    """torchvision indices of the convolutions, and the index of each stage's last ReLU."""
    per_stage = [2, 2, 3, 3, 3] if depth == 16 else [2, 2, 4, 4, 4]
    channels = [64, 128, 256, 512, 512]
    convs, stage_ends, index, cin = [], [], 0, 3
    for count, cout in zip(per_stage, channels):
        for _ in range(count):
            convs.append((index, cin, cout))
            index += 2
            cin = cout
        stage_ends.append(index - 1)
        index += 1
    return convs, stage_ends


def vgg_state(depth):
    convs, _ = vgg_layers(depth)
    shapes = {}
    for index, cin, cout in convs:
        shapes[f"features.{index}.weight"] = (cout, cin, 3, 3)
        shapes[f"features.{index}.bias"] = (cout,)
    state = {}
    for ordinal, key in enumerate(sorted(shapes)):
        shape = shapes[key]
        amplitude = math.sqrt(6.0 / math.prod(shape[1:])) if key.endswith("weight") else 0.1
        state[key] = formula(shape, ordinal, amplitude)
    return state


def l2_pool(x):
    a = torch.tensor([0.5, 1.0, 0.5])
    g = (a[:, None] * a[None, :]) / 4.0
    kernel = g.expand(x.shape[1], 1, 3, 3).contiguous()
    return torch.sqrt(F.conv2d(x * x, kernel, stride=2, padding=1, groups=x.shape[1]) + 1e-12)


def vgg(state, depth, x, pooling="max"):
    convs, stage_ends = vgg_layers(depth)
    taps, stage = [], 0
    for i, (index, _, _) in enumerate(convs):
        if i > 0 and convs[i - 1][0] + 2 != index:  # a pool sits between stages
            x = F.max_pool2d(x, 2, 2) if pooling == "max" else l2_pool(x)
        x = F.relu(F.conv2d(x, state[f"features.{index}.weight"], state[f"features.{index}.bias"], padding=1))
        if index + 1 == stage_ends[stage]:
            taps.append(x)
            stage += 1
    return taps


def images(ordinal):
    return formula((2, 3, 40, 36), ordinal, 0.9)


def imagenet(x):
    mean = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    return ((x + 1) / 2 - mean) / std


def lpips(state, x0, x1):
    shift = torch.tensor([-0.030, -0.088, -0.188]).reshape(1, 3, 1, 1)
    scale = torch.tensor([0.458, 0.448, 0.450]).reshape(1, 3, 1, 1)
    lins = [formula((1, c, 1, 1), ordinal, 0.05, 0.05) for ordinal, c in enumerate([64, 128, 256, 512, 512])]
    a, b = vgg(state, 16, (x0 - shift) / scale), vgg(state, 16, (x1 - shift) / scale)
    total = 0
    for fa, fb, w in zip(a, b, lins):
        na = fa / (torch.sqrt((fa * fa).sum(1, keepdim=True)) + 1e-10)
        nb = fb / (torch.sqrt((fb * fb).sum(1, keepdim=True)) + 1e-10)
        total = total + F.conv2d((na - nb) ** 2, w).mean(dim=(1, 2, 3))
    return total


def dists(state, x, y):
    channels = [3, 64, 128, 256, 512, 512]
    alpha = formula((1, sum(channels), 1, 1), 0, 0.05, 0.1)
    beta = formula((1, sum(channels), 1, 1), 1, 0.05, 0.1)
    fx = [(x + 1) / 2] + vgg(state, 16, imagenet(x), "l2")
    fy = [(y + 1) / 2] + vgg(state, 16, imagenet(y), "l2")
    w = alpha.sum() + beta.sum()
    alphas, betas = torch.split(alpha / w, channels, dim=1), torch.split(beta / w, channels, dim=1)
    s = 0
    for a, b, p, q in zip(fx, fy, alphas, betas):
        mx, my = a.mean([2, 3], keepdim=True), b.mean([2, 3], keepdim=True)
        vx, vy = ((a - mx) ** 2).mean([2, 3], keepdim=True), ((b - my) ** 2).mean([2, 3], keepdim=True)
        cxy = (a * b).mean([2, 3], keepdim=True) - mx * my
        s1 = (2 * mx * my + 1e-6) / (mx**2 + my**2 + 1e-6)
        s2 = (2 * cxy + 1e-6) / (vx + vy + 1e-6)
        s = s + (p * s1 + q * s2).sum(dim=(1, 2, 3))
    return 1 - s


def samples(t, step=997):
    return " ".join(f"{v:.9g}" for v in t.flatten()[::step].tolist())


def main():
    print("# VGG trunks, LPIPS and DISTS on formula weights; see make-vgg-vectors.py")
    x0, x1 = images(0), images(1)
    for depth in (16, 19):
        state = vgg_state(depth)
        for k, tap in enumerate(vgg(state, depth, imagenet(x0))):
            print(f"vgg{depth}_tap{k}_shape", *tap.shape)
            print(f"vgg{depth}_tap{k}", samples(tap))
    state = vgg_state(16)
    print("lpips", *[f"{v:.9g}" for v in lpips(state, x0, x1).tolist()])
    print("dists", *[f"{v:.9g}" for v in dists(state, x0, x1).tolist()])
    print("dists_identical", *[f"{v:.9g}" for v in dists(state, x0, x0).tolist()])


if __name__ == "__main__":
    main()
