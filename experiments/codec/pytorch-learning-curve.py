#!/usr/bin/python3
"""The learning curve of the earlier `lab` codec (HiFiC transforms, `--transforms hific`) in
PyTorch (Debian's python3-torch): the networks, rate and optimiser of
tests/bench/codec_step_reference.py trained on the codec's photographs, printing
the PSNR of 8 held-out 256x256 crops every 50 steps. It tells a genlab defect from the recipe's
own pace (docs/models/codec.md, "Why GDN in the lab preset"). Debian's PyTorch has no image reader,
so the photographs are read as binary PPM: convert data/photos/{train,eval} first, e.g.
`for f in data/photos/train/*; do convert "$f" ppm/train/$(basename "${f%.*}").ppm; done`.

    experiments/codec/pytorch-learning-curve.py --photos ppm --steps 400            # as genlab trains
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth noise          # noised latents into G
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth none --lam 0   # a plain autoencoder
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth none --lam 0 --lr 2e-3
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth none --lam 0 --no-cn
"""
import argparse
import glob
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "bench"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the step reference: BLAS in the caller's thread

import numpy as np  # noqa: E402
import torch  # noqa: E402

import codec_step_reference as R  # noqa: E402  the lab codec's networks, rate and optimisers

CROP, BATCH, EVAL_CROPS = 256, 4, 8
PIXELS = CROP * CROP


def read_ppm(path):
    """A binary PPM (P6, 8 bits) as an [H, W, 3] array; comments are not supported."""
    with open(path, "rb") as f:
        magic, size, maximum, pixels = f.read().split(b"\n", 3)
    if magic != b"P6" or maximum != b"255":
        sys.exit(f"{path}: not an 8-bit binary PPM (P6)")
    width, height = map(int, size.split())
    return np.frombuffer(pixels, np.uint8).reshape(height, width, 3)


def photos(folder):
    images = [read_ppm(f) for f in sorted(glob.glob(os.path.join(folder, "*.ppm")))]
    images = [i for i in images if min(i.shape[:2]) >= CROP]
    if not images:
        sys.exit(f"{folder}: no PPM photographs of at least {CROP}x{CROP}")
    return images


def random_crop(image, rng):
    """A CROP x CROP crop, flipped left-right with probability 1/2, in [-1, 1]."""
    h, w, _ = image.shape
    y, x = rng.randrange(h - CROP + 1), rng.randrange(w - CROP + 1)
    c = image[y:y + CROP, x:x + CROP]
    if rng.random() < 0.5:
        c = c[:, ::-1]
    return torch.from_numpy(c.copy()).permute(2, 0, 1).float() / 127.5 - 1


def psnr(x_hat, x):
    return (10 * torch.log10(4 / (x_hat.clamp(-1, 1) - x).square().mean((1, 2, 3)))).mean().item()


def main():
    p = argparse.ArgumentParser(description="learning curve of the lab codec in PyTorch")
    p.add_argument("--photos", default="ppm", help="folder with train/ and eval/ of binary PPM (P6) photographs")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--alpha", type=float, default=100, help="Charbonnier weight (L2's)")
    p.add_argument("--beta", type=float, default=0, help="perceptual weight (0: no VGG)")
    p.add_argument("--gamma", type=float, default=0, help="style weight")
    p.add_argument("--lam", type=float, default=1.0, help="multiplies the rate control's lambda* (0: no rate)")
    p.add_argument("--synth", default="ste", choices=["ste", "noise", "none"],
                   help="the synthesis reads y rounded around the means (genlab), noised, or as it is")
    p.add_argument("--no-cn", action="store_true", help="ChannelNorm replaced by its affine part alone")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    R.keep_freed_memory()
    if a.no_cn:
        R.ChannelNorm.forward = lambda self, x: x * self.weight + self.bias
    train = photos(os.path.join(a.photos, "train"))
    held_out = photos(os.path.join(a.photos, "eval"))
    eval_rng, train_rng = random.Random(7), random.Random(1)
    eval_x = torch.stack([random_crop(held_out[i % len(held_out)], eval_rng) for i in range(EVAL_CROPS)])

    codec = R.Codec("hific")
    vgg = R.Vgg16Stage1() if a.beta or a.gamma else None
    params = R.main_parameters(codec)
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0)
    aux_opt = torch.optim.Adam([codec.hyper_prior.quantiles], lr=R.AUX_LR)

    def forward(x):
        """R.Codec.train_forward, with the synthesis input of --synth."""
        y = codec.analysis(x)
        z = codec.hyper_analysis(y)
        z_likelihoods = codec.hyper_prior.likelihood(z + torch.rand_like(z) - 0.5)
        z_hat = R.round_around(z, codec.hyper_prior.medians())
        psi = torch.cat([codec.hyper_synthesis_mean(z_hat), codec.hyper_synthesis_scale(z_hat)], 1)
        y_hat, means, scales = codec.context(y, psi)
        y_noised = y + torch.rand_like(y) - 0.5
        bits = R.bits_per_image(R.gaussian_likelihood(y_noised, scales, means)) + R.bits_per_image(z_likelihoods)
        x_hat = codec.synthesis({"ste": y_hat, "noise": y_noised, "none": y}[a.synth])
        with torch.no_grad():
            rounded_bits = (R.bits_per_image(R.gaussian_likelihood(y_hat, scales, means))
                            + R.bits_per_image(codec.hyper_prior.likelihood(z_hat)))
        return x_hat, bits, rounded_bits, y, y_hat

    start, train_psnr = time.time(), []
    for step in range(a.steps + 1):
        if step % 50 == 0:
            with torch.no_grad():
                _, _, rounded_bits, y, y_hat = forward(eval_x)
                held_out_psnr = psnr(codec.synthesis(y_hat), eval_x)  # as decoded: from rounded latents
            recent = np.mean(train_psnr[-50:]) if train_psnr else float("nan")
            print(f"step {step} t={time.time() - start:.0f}s eval_psnr {held_out_psnr:.2f} "
                  f"eval_bpp_rounded {(rounded_bits / PIXELS).mean():.3f} |y| {y.abs().mean():.2f} "
                  f"train_psnr(last 50) {recent:.2f}", flush=True)
        if step == a.steps:
            break
        x = torch.stack([random_crop(train[train_rng.randrange(len(train))], train_rng) for _ in range(BATCH)])
        x_hat, bits, rounded_bits, _, _ = forward(x)
        lam = torch.tensor(R.rate_lambda((rounded_bits / PIXELS).tolist(), step)) * a.lam
        if vgg is not None:
            d = R.distortion(vgg, x_hat, x, a.alpha, a.beta, a.gamma)[0]
        else:
            d = a.alpha * torch.sqrt(((x_hat - x) * 0.5).square() + 1e-3 ** 2).mean()  # Charbonnier on [0, 1]
        loss = (lam * bits / PIXELS).mean() + d
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, R.CLIP)
        opt.step()
        aux_opt.zero_grad()
        codec.hyper_prior.quantile_loss().backward()
        aux_opt.step()
        with torch.no_grad():
            train_psnr.append(psnr(x_hat, x))


if __name__ == "__main__":
    main()
