#!/usr/bin/python3
"""How fast a codec's transforms can learn at all: HiFiC's at the old `lab` widths (--arch hific),
a Ballé-style ReLU autoencoder of four 5x5 stride-2 convolutions (relu), and the same with GDN,
the `lab` preset's transforms (gdn; both from tests/bench/codec_step_reference.py), each trained
as a plain autoencoder (uniformly noised latents, no rate, no entropy model) on 128x128 crops of
the codec's photographs, batch 8, AdamW, Charbonnier x 100. Prints the PSNR of 16 held-out crops
decoded from rounded latents every 50 steps. It bounds what the full codec can reach in a given
number of steps (docs/models/codec.md, "Why GDN in the lab preset"). The photographs are read as
binary PPM, as experiments/codec/pytorch-learning-curve.py explains.

    experiments/codec/pytorch-autoencoder-pace.py --photos ppm --arch hific --gain 20 --lr 1e-3 --steps 3000
    experiments/codec/pytorch-autoencoder-pace.py --photos ppm --arch relu --gain 20 --lr 1e-3 --steps 3000
    experiments/codec/pytorch-autoencoder-pace.py --photos ppm --arch gdn --gain 20 --lr 1e-3 --steps 3000
"""
import argparse
import importlib.util
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "bench"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

import codec_step_reference as R  # noqa: E402  the lab codec's transforms

_spec = importlib.util.spec_from_file_location("learning_curve", os.path.join(HERE, "pytorch-learning-curve.py"))
curve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(curve)  # its PPM reader, crops and PSNR


def relu_autoencoder(width=64, latents=128):
    """Ballé et al.'s factorised-prior transforms with ReLU in place of GDN: x16, 5x5 kernels."""
    def stack(conv, widths):
        layers = []
        for i in range(len(widths) - 1):
            layers += [conv(widths[i], widths[i + 1]), nn.ReLU()]
        return nn.Sequential(*layers[:-1])
    down = lambda i, o: nn.Conv2d(i, o, 5, 2, 2)
    up = lambda i, o: nn.ConvTranspose2d(i, o, 5, 2, 2, output_padding=1)
    return stack(down, [3, width, width, width, latents]), stack(up, [latents, width, width, width, 3])


def main():
    p = argparse.ArgumentParser(description="learning pace of the lab codec's transforms as an autoencoder")
    p.add_argument("--photos", default="ppm", help="folder with train/ and eval/ of binary PPM (P6) photographs")
    p.add_argument("--arch", default="hific", choices=["hific", "relu", "gdn"])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--gain", type=float, default=1.0, help="multiplies the analysis output (the latents' scale)")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    R.keep_freed_memory()
    curve.CROP = a.crop
    train = curve.photos(os.path.join(a.photos, "train"))
    held_out = curve.photos(os.path.join(a.photos, "eval"))
    eval_rng, train_rng = random.Random(7), random.Random(1)
    eval_x = torch.stack([curve.random_crop(held_out[i % len(held_out)], eval_rng) for i in range(16)])
    encoder, decoder = {"hific": lambda: (R.Analysis(), R.Synthesis()), "relu": relu_autoencoder,
                        "gdn": lambda: (R.gdn_analysis(), R.gdn_synthesis())}[a.arch]()
    params = list(encoder.parameters()) + list(decoder.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0)
    start = time.time()
    for step in range(a.steps + 1):
        if step % 50 == 0:
            with torch.no_grad():
                y = encoder(eval_x) * a.gain
                print(f"{a.arch} step {step} t={time.time() - start:.0f}s "
                      f"eval_psnr {curve.psnr(decoder(torch.round(y)), eval_x):.2f} |y| {y.abs().mean():.2f}", flush=True)
        if step == a.steps:
            break
        x = torch.stack([curve.random_crop(train[train_rng.randrange(len(train))], train_rng) for _ in range(a.batch)])
        y = encoder(x) * a.gain
        x_hat = decoder(y + torch.rand_like(y) - 0.5)
        loss = 100 * torch.sqrt(((x_hat - x) * 0.5).square() + 1e-3 ** 2).mean()  # Charbonnier on [0, 1]
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, R.CLIP)
        opt.step()


if __name__ == "__main__":
    main()
