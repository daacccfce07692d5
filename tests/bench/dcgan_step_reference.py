#!/usr/bin/python3
"""The DCGAN training step of bench_dcgan_step in PyTorch (Debian's python3-torch): the same
networks (28x28 grey: pytorch/examples cpp/dcgan; 64x64 RGB: dcgan/main.py), losses (BCE with
logits, real targets U(0.8, 1)), Adam(2e-4, 0.5, 0.999), batch 64. Prints one JSON line per
image size and thread count with ms per step.

    /usr/bin/python3 tests/bench/dcgan_step_reference.py [--threads 1 2] [--sizes 28 64] [--seconds 5]
"""
import argparse
import json
import os

# PyTorch parallelises its own loops; OpenBLAS's threads (Debian's libopenblas0-pthread) on the
# same cores slowed the 2-thread step from about 260 to 330 ms, so BLAS runs in the caller's
# thread, as in genlab's LibTorch backend. Must be set before torch loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

from reference_timing import ms_per_step  # noqa: E402  (tests/bench, beside this script)


def tables(size, latent=100, w=64):
    """(in, out, kernel, stride, padding) of each layer of G and D, as models/dcgan/networks.hpp."""
    if size == 28:
        g = [(latent, 4 * w, 4, 1, 0), (4 * w, 2 * w, 3, 2, 1), (2 * w, w, 4, 2, 1), (w, 1, 4, 2, 1)]
        d = [(1, w, 4, 2, 1), (w, 2 * w, 4, 2, 1), (2 * w, 4 * w, 4, 2, 1), (4 * w, 1, 3, 1, 0)]
    else:
        g = [(latent, 8 * w, 4, 1, 0), (8 * w, 4 * w, 4, 2, 1), (4 * w, 2 * w, 4, 2, 1), (2 * w, w, 4, 2, 1),
             (w, 3, 4, 2, 1)]
        d = [(3, w, 4, 2, 1), (w, 2 * w, 4, 2, 1), (2 * w, 4 * w, 4, 2, 1), (4 * w, 8 * w, 4, 2, 1),
             (8 * w, 1, 4, 1, 0)]
    return g, d


def generator(size):
    layers = []
    table, _ = tables(size)
    for i, (cin, cout, k, s, p) in enumerate(table):
        layers.append(nn.ConvTranspose2d(cin, cout, k, s, p, bias=False))
        layers += [nn.BatchNorm2d(cout), nn.ReLU()] if i + 1 < len(table) else [nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(size):
    layers = []
    _, table = tables(size)
    for i, (cin, cout, k, s, p) in enumerate(table):
        layers.append(nn.Conv2d(cin, cout, k, s, p, bias=False))
        if 0 < i < len(table) - 1:
            layers.append(nn.BatchNorm2d(cout))
        if i < len(table) - 1:
            layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


def time_steps(threads, size, seconds, batch=64, latent=100):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    g, d = generator(size), discriminator(size)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    channels = 1 if size == 28 else 3
    real = torch.rand(batch, channels, size, size) * 2 - 1

    def step():
        z = torch.randn(batch, latent, 1, 1)
        real_targets = torch.rand(batch) * 0.2 + 0.8
        fake = g(z)
        real_logits = d(real).view(-1)
        fake_logits = d(fake.detach()).view(-1)
        loss_d = (F.binary_cross_entropy_with_logits(real_logits, real_targets)
                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros(batch)))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = F.binary_cross_entropy_with_logits(d(fake).view(-1), torch.ones(batch))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return loss_d.item(), loss_g.item()

    return ms_per_step(step, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sizes", type=int, nargs="+", default=[28, 64])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    for size in args.sizes:
        for threads in args.threads:
            ms, steps = time_steps(threads, size, args.seconds)
            print(json.dumps({"name": "dcgan_step/pytorch", "threads": threads, "image_size": size,
                              "ms_per_step": ms, "steps": steps, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
