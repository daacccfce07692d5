#!/usr/bin/python3
"""The PGA training step of bench_pga_step in PyTorch (Debian's python3-torch): conv_mnist with
width 64 and no batch norm, batch 64, every loss term of the variant switched on, the encoder's
gradient from enc_loss and the decoder's from dec_loss (torch.autograd.grad), one SGD optimiser
with momentum 0.9, as models/pga and zj10/PGA define them. Prints one JSON line per variant and
thread count with ms per step.

    /usr/bin/python3 tests/bench/pga_step_reference.py [--threads 1 2] [--variants lpga vpga vae] [--seconds 3]
"""
import argparse
import json
import math
import os

# As in dcgan_step_reference.py: BLAS in the caller's thread, set before torch loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

from reference_timing import ms_per_step  # noqa: E402  (tests/bench, beside this script)


class Encoder(nn.Module):
    def __init__(self, z, w=64, sigma=False):
        super().__init__()
        self.conv1 = nn.Conv2d(1, w, 5, 2, 2)
        self.conv2 = nn.Conv2d(w, 2 * w, 5, 2, 2)
        self.hidden = nn.Linear(7 * 7 * 2 * w, 1024)
        self.mu = nn.Linear(1024, z)
        self.log_sigma_sq = nn.Linear(1024, z) if sigma else None

    def forward(self, x):
        x = F.leaky_relu(self.conv1(x), 0.2)
        x = F.leaky_relu(self.conv2(x), 0.2)
        x = F.leaky_relu(self.hidden(x.flatten(1)), 0.2)
        return self.mu(x), (self.log_sigma_sq(x) if self.log_sigma_sq is not None else None)


class Decoder(nn.Module):
    def __init__(self, z, w=64):
        super().__init__()
        self.w = w
        self.fc1 = nn.Linear(z, 1024)
        self.fc2 = nn.Linear(1024, 7 * 7 * 2 * w)
        self.deconv1 = nn.ConvTranspose2d(2 * w, w, 5, 2, 2, output_padding=1)
        self.deconv2 = nn.ConvTranspose2d(w, 1, 5, 2, 2, output_padding=1)

    def forward(self, z):
        x = F.relu(self.fc2(F.relu(self.fc1(z)))).view(-1, 2 * self.w, 7, 7)
        return torch.tanh(self.deconv2(F.relu(self.deconv1(x))))


def make_step(variant, batch=64):
    d = 12 if variant == "lpga" else 32
    enc, dec = Encoder(d, sigma=variant != "lpga"), Decoder(d)
    enc_params, dec_params = list(enc.parameters()), list(dec.parameters())
    opt = torch.optim.SGD(enc_params + dec_params, lr=0.1, momentum=0.9)
    x = torch.rand(batch, 1, 28, 28) * 2 - 1
    f = lambda z: enc(dec(z))[0]

    def f_decoder_only(z):
        image = dec(z)
        latent = enc(image)[0]
        return latent - enc(image.detach())[0] + latent.detach()

    def step():
        mu, log_sigma_sq = enc(x)
        if variant == "vae":
            noise = torch.exp(0.5 * log_sigma_sq) * torch.randn_like(mu)
            kl = (0.5 * (mu ** 2 + log_sigma_sq.exp() - log_sigma_sq - 1)).mean()
            enc_loss = dec_loss = F.mse_loss(dec(mu + noise), x) + 2e-2 * kl
        else:
            rec = F.mse_loss(dec(mu), x)
            zn = torch.randn(batch, d)
            enc_loss = rec + 6e-2 * F.mse_loss(f(zn), zn)
            dec_loss = rec
            if variant == "lpga":
                enc_loss = enc_loss + 1.5e-2 * ((0.5 * (mu ** 2).sum(1)).mean() / d + 0.5 * math.log(2 * math.pi))
                z = mu.detach()
                eps = 1e-2 * math.sqrt(d)
                u = torch.randn(batch, d)
                delta = u / u.norm(dim=1, keepdim=True) * eps
                log_det = d / 2 * torch.log(((f(z + delta) - f(z)) / eps).pow(2).sum(1))
                dec_loss = dec_loss + 1.5e-2 * log_det.mean() / d
            else:
                noise = torch.exp(0.5 * log_sigma_sq) * torch.randn_like(mu)
                centre = mu.detach()
                scale = centre.pow(2).mean(0, keepdim=True).sqrt()
                vrec = F.mse_loss(f_decoder_only(centre) / scale, f_decoder_only(centre + noise) / scale)
                kl = (0.5 * (mu ** 2 + log_sigma_sq.exp() - log_sigma_sq - 1)).mean()
                enc_loss = enc_loss + 1e-2 * vrec + 2e-2 * kl
                dec_loss = dec_loss + 1e-2 * vrec
        if enc_loss is dec_loss:  # the VAE: one loss, one backward pass (as genlab does)
            grads = torch.autograd.grad(enc_loss, enc_params + dec_params)
        else:
            grads = torch.autograd.grad(enc_loss, enc_params, retain_graph=True)
            grads += torch.autograd.grad(dec_loss, dec_params)
        for p, g in zip(enc_params + dec_params, grads):
            p.grad = g
        opt.step()
        return enc_loss.item()

    return step


def time_steps(threads, variant, seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    step = make_step(variant)
    return ms_per_step(step, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--variants", nargs="+", default=["lpga", "vpga", "vae"])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    for variant in args.variants:
        for threads in args.threads:
            ms, steps = time_steps(threads, variant, args.seconds)
            print(json.dumps({"name": "pga_step/pytorch", "variant": variant, "threads": threads,
                              "ms_per_step": ms, "steps": steps, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
