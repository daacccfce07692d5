#!/usr/bin/python3
"""The learning curve of the `lab` codec in PyTorch (Debian's python3-torch): the networks, rate
and optimiser of tests/bench/codec_step_reference.py trained on the codec's photographs, printing
the PSNR of 8 held-out 256x256 crops every 50 steps. It tells a genlab defect from the recipe's
own pace (docs/models/codec.md, "Why it is not yet good"). Debian's PyTorch has no image reader,
so the photographs are read as binary PPM: convert data/photos/{train,eval} first, e.g.
`for f in data/photos/train/*; do convert "$f" ppm/train/$(basename "${f%.*}").ppm; done`.

    experiments/codec/pytorch-learning-curve.py --photos ppm --steps 400            # as genlab trains
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth noise          # noised latents into G
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth none --lam 0   # a plain autoencoder
    experiments/codec/pytorch-learning-curve.py --photos ppm --synth none --lam 0 --no-cn
"""
import sys, os, math, time, argparse, glob, random
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "bench"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np, torch, torch.nn.functional as F
import codec_step_reference as R

p = argparse.ArgumentParser(description="learning curve of the lab codec in PyTorch")
p.add_argument("--photos", default="ppm", help="folder with train/ and eval/ of binary PPM (P6) photographs")
p.add_argument("--steps", type=int, default=300)
p.add_argument("--lr", type=float, default=5e-4)
p.add_argument("--alpha", type=float, default=100); p.add_argument("--beta", type=float, default=0); p.add_argument("--gamma", type=float, default=0)
p.add_argument("--lam", type=float, default=1.0, help="multiplies lambda*")
p.add_argument("--synth", default="ste", choices=["ste", "noise", "none"])
p.add_argument("--threads", type=int, default=1)
p.add_argument("--clip", type=float, default=1.0)
p.add_argument("--no-cn", action="store_true")
p.add_argument("--scale", type=float, default=1.0, help="multiply y at analysis output")
a = p.parse_args()
torch.set_num_threads(a.threads)
if a.no_cn:
    R.ChannelNorm.forward = lambda self, x: x * self.weight + self.bias; torch.manual_seed(0); random.seed(0)
R.keep_freed_memory()
def load(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split()); return np.frombuffer(parts[3], np.uint8).reshape(h, w, 3)
train = [load(f) for f in sorted(glob.glob(os.path.join(a.photos, "train", "*.ppm")))]
train = [t for t in train if min(t.shape[:2]) >= 256]
ev = [load(f) for f in sorted(glob.glob(os.path.join(a.photos, "eval", "*.ppm")))]
def crop(img, rng):
    h, w, _ = img.shape; y = rng.randrange(h - 255); x = rng.randrange(w - 255)
    c = img[y:y+256, x:x+256]
    if rng.random() < 0.5: c = c[:, ::-1]
    return torch.from_numpy(np.ascontiguousarray(c)).permute(2, 0, 1).float() / 127.5 - 1
rng = random.Random(1)
evrng = random.Random(7)
evx = torch.stack([crop(ev[i % len(ev)], evrng) for i in range(8) if min(ev[i % len(ev)].shape[:2]) >= 256])
codec = R.Codec(); vgg = R.Vgg16Stage1() if (a.beta or a.gamma) else None
params = R.main_parameters(codec)
opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0)
aux_opt = torch.optim.Adam([codec.hyper_prior.quantiles], lr=1e-3)
orig_analysis = codec.analysis.forward
if a.scale != 1: codec.analysis.forward = lambda x: orig_analysis(x) * a.scale
def forward(x):
    c = codec
    y = c.analysis(x); z = c.hyper_analysis(y)
    zn = z + torch.rand_like(z) - 0.5; zl = c.hyper_prior.likelihood(zn)
    zh = R.round_around(z, c.hyper_prior.medians())
    psi = torch.cat([c.hyper_synthesis_mean(zh), c.hyper_synthesis_scale(zh)], 1)
    yh, means, scales = c.context(y, psi)
    yn = y + torch.rand_like(y) - 0.5
    yl = R.gaussian_likelihood(yn, scales, means)
    inp = {"ste": yh, "noise": yn, "none": y}[a.synth]
    xh = c.synthesis(inp)
    with torch.no_grad():
        rb = R.bits_per_image(R.gaussian_likelihood(yh, scales, means)) + R.bits_per_image(c.hyper_prior.likelihood(zh))
    return xh, R.bits_per_image(yl) + R.bits_per_image(zl), rb, yh
t0 = time.time(); hist = []
for step in range(a.steps + 1):
    if step % 50 == 0:
        with torch.no_grad():
            xh, bits, rb, yh = forward(evx)
            c = codec; y = c.analysis(evx)
            psi_dummy = None
            # evaluation synthesis always from rounded latents
            mse = ((c.synthesis(yh).clamp(-1, 1) - evx) ** 2).mean((1, 2, 3))
            print(f"step {step} t={time.time()-t0:.0f}s eval_psnr {(10*torch.log10(4/mse)).mean():.2f} eval_bpp_rounded {(rb/65536).mean():.3f} |y| {y.abs().mean():.2f} train_psnr(avg50) {np.mean(hist[-50:]) if hist else 0:.2f}", flush=True)
    if step == a.steps: break
    x = torch.stack([crop(train[rng.randrange(len(train))], rng) for _ in range(4)])
    xh, bits, rb, _ = forward(x)
    bpp = bits / 65536
    lam = torch.tensor(R.rate_lambda((rb / 65536).tolist(), step)) * a.lam
    if vgg is not None:
        d = R.distortion(vgg, xh, x, a.alpha, a.beta, a.gamma)[0]
    else:
        d = a.alpha * torch.sqrt(((xh - x) * 0.5).square() + 1e-6).mean()
    loss = (lam * bpp).mean() + d
    opt.zero_grad(); loss.backward()
    if a.clip > 0: torch.nn.utils.clip_grad_norm_(params, a.clip)
    opt.step(); aux_opt.zero_grad(); codec.hyper_prior.quantile_loss().backward(); aux_opt.step()
    with torch.no_grad(): hist.append((10 * torch.log10(4 / ((xh.clamp(-1, 1) - x) ** 2).mean((1, 2, 3)))).mean().item())
