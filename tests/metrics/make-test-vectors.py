#!/usr/bin/python3
"""Regenerates the reference values under tests/metrics/vectors/ that test_metrics and
test_image_metrics compare genlab's metrics with. Needs Debian's python3-numpy, python3-scipy,
python3-skimage and python3-pywt (for the 512 x 512 cameraman image); the tests themselves never
run Python.

    tests/metrics/make-test-vectors.py            # writes tests/metrics/vectors/*

Every reference is computed here by an independent route:
  FID       pytorch-fid's: scipy.linalg.sqrtm(Σ1 Σ2), its real part's trace
  KID       a double loop over all pairs, the unbiased MMD² of Gretton et al. (2012), Eq. 4
  IS        scipy.special.softmax and scipy.stats.entropy per split (Salimans et al. 2016)
  P&R       scipy.spatial.distance.cdist, the k-th neighbour by sorting (Kynkäänniemi et al. 2019)
  BD        numpy.polyfit / polyint (VCEG-M33's Python port) and scipy's PchipInterpolator.integrate
  PSNR      skimage.metrics.peak_signal_noise_ratio
  SSIM      skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
            use_sample_covariance=False, data_range=L), and the MATLAB value shipped with
            python3-skimage (skimage/data/mssim_matlab_output.npz: mean SSIM by the authors'
            ssim_index.m and its gradient by Avanaki's ssim_sens.m, for the cameraman image and
            its noisy copy made below)
  MS-SSIM   a line-by-line port of the authors' MATLAB msssim.m (filter2 'valid', imfilter
            'symmetric' 2 x 2 averaging, every second pixel), with negative terms clamped at 0

Inputs other than the cameraman come from a counter-based generator that tests/metrics/
deterministic_inputs.hpp mirrors bit for bit (splitmix64 of seed * 2^32 + index), so no input
matrices are stored.
"""
import os

import numpy as np
import pywt.data
import scipy.linalg
import scipy.signal
import scipy.spatial.distance
import scipy.special
import scipy.stats
import skimage.metrics
from PIL import Image
from scipy.interpolate import PchipInterpolator

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")
MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


# ---------------------------------------------------------------------------------------------
# Deterministic inputs (mirrored in deterministic_inputs.hpp).

def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniforms(seed, count):
    """count values in [0, 1): the top 53 bits of splitmix64(seed * 2^32 + i), times 2^-53."""
    index = np.uint64(seed) * np.uint64(1 << 32) + np.arange(count, dtype=np.uint64)
    return (splitmix64(index) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def bell(seed, count):
    """Irwin-Hall: the sum of four uniforms minus 2, bell-shaped with mean 0 and variance 1/3."""
    u = uniforms(seed, 4 * count).reshape(count, 4)
    return ((u[:, 0] + u[:, 1]) + u[:, 2]) + u[:, 3] - 2.0


def features(seed, n, d):
    """[n, d]: bell-shaped values with scales 1..4, offsets j/4, and each dimension mixed with the
    previous one, so the covariance is full and not diagonal."""
    x = bell(seed, n * d).reshape(n, d)
    for j in range(d):
        x[:, j] = x[:, j] * (1 + j % 4) + j / 4
    for j in range(1, d):
        x[:, j] = x[:, j] + 0.5 * x[:, j - 1]
    return x


def image(seed, c, h, w):
    """[c, h, w] in [0, 1]: half a pattern (3h + 5w + 7c mod 17) / 16, half noise."""
    u = uniforms(seed, c * h * w).reshape(c, h, w)
    cc, hh, ww = np.meshgrid(np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    return 0.5 * u + 0.5 * ((3 * hh + 5 * ww + 7 * cc) % 17) / 16


def noisy(seed, x, amplitude):
    """x plus uniform noise in [-amplitude/2, amplitude/2), clipped to [0, 1]."""
    return np.clip(x + amplitude * (uniforms(seed, x.size).reshape(x.shape) - 0.5), 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# References.

def fid_sqrtm(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real))


def mmd2_unbiased(x, y):
    d = x.shape[1]
    k = lambda a, b: (a @ b / d + 1.0) ** 3
    sxx = sum(k(x[i], x[j]) for i in range(len(x)) for j in range(len(x)) if i != j)
    syy = sum(k(y[i], y[j]) for i in range(len(y)) for j in range(len(y)) if i != j)
    sxy = sum(k(x[i], y[j]) for i in range(len(x)) for j in range(len(y)))
    nx, ny = len(x), len(y)
    return sxx / (nx * (nx - 1)) + syy / (ny * (ny - 1)) - 2 * sxy / (nx * ny)


def inception_score(logits, splits):
    p = scipy.special.softmax(logits, axis=1)
    n = len(p)
    scores = []
    for s in range(splits):
        part = p[s * n // splits:(s + 1) * n // splits]
        marginal = part.mean(0)
        kl = [scipy.stats.entropy(row, marginal) for row in part]
        scores.append(np.exp(np.mean(kl)))
    return scores


def precision_recall(real, fake, k):
    def radii(x):
        d = scipy.spatial.distance.cdist(x, x)
        np.fill_diagonal(d, np.inf)
        return np.sort(d, axis=1)[:, k - 1]
    r_real, r_fake = radii(real), radii(fake)
    d = scipy.spatial.distance.cdist(fake, real)  # [fake, real]
    precision = np.mean((d <= r_real[None, :]).any(axis=1))
    recall = np.mean((d <= r_fake[:, None]).any(axis=0))
    return float(precision), float(recall)


def bd_rate_cubic(r1, q1, r2, q2):
    p1, p2 = np.polyfit(q1, np.log(r1), 3), np.polyfit(q2, np.log(r2), 3)
    lo, hi = max(min(q1), min(q2)), min(max(q1), max(q2))
    i1, i2 = np.polyint(p1), np.polyint(p2)
    gap = ((np.polyval(i2, hi) - np.polyval(i2, lo)) - (np.polyval(i1, hi) - np.polyval(i1, lo))) / (hi - lo)
    return (np.exp(gap) - 1) * 100


def bd_psnr_cubic(r1, q1, r2, q2):
    l1, l2 = np.log(r1), np.log(r2)
    p1, p2 = np.polyfit(l1, q1, 3), np.polyfit(l2, q2, 3)
    lo, hi = max(min(l1), min(l2)), min(max(l1), max(l2))
    i1, i2 = np.polyint(p1), np.polyint(p2)
    return ((np.polyval(i2, hi) - np.polyval(i2, lo)) - (np.polyval(i1, hi) - np.polyval(i1, lo))) / (hi - lo)


def pchip_integral(x, y, lo, hi):
    order = np.argsort(x)
    return PchipInterpolator(np.asarray(x)[order], np.asarray(y)[order]).integrate(lo, hi)


def bd_rate_pchip(r1, q1, r2, q2):
    lo, hi = max(min(q1), min(q2)), min(max(q1), max(q2))
    gap = (pchip_integral(q2, np.log(r2), lo, hi) - pchip_integral(q1, np.log(r1), lo, hi)) / (hi - lo)
    return (np.exp(gap) - 1) * 100


def bd_psnr_pchip(r1, q1, r2, q2):
    l1, l2 = np.log(r1), np.log(r2)
    lo, hi = max(min(l1), min(l2)), min(max(l1), max(l2))
    return (pchip_integral(l2, q2, lo, hi) - pchip_integral(l1, q1, lo, hi)) / (hi - lo)


def gaussian_window():
    g = np.exp(-(np.arange(11) - 5.0) ** 2 / (2 * 1.5 ** 2))
    w = np.outer(g, g)
    return w / w.sum()  # fspecial('gaussian', 11, 1.5)


def msssim_matlab(x, y, L):
    """msssim.m for one channel (2-d arrays), negative terms clamped at 0 before the powers."""
    weights = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
    window = gaussian_window()
    filt = lambda a: scipy.signal.correlate2d(a, window, mode="valid")  # filter2(window, a, 'valid')
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    result = 1.0
    for level, weight in enumerate(weights):
        mu1, mu2 = filt(x), filt(y)
        s1, s2, s12 = filt(x * x) - mu1 ** 2, filt(y * y) - mu2 ** 2, filt(x * y) - mu1 * mu2
        cs = (2 * s12 + c2) / (s1 + s2 + c2)
        ssim = (2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1) * cs
        term = ssim.mean() if level == len(weights) - 1 else cs.mean()
        result *= max(term, 0.0) ** weight
        # imfilter(a, ones(2)/4, 'symmetric', 'same') then a(1:2:end, 1:2:end)
        down = lambda a: (lambda p: (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4)(
            np.pad(a, ((0, 1), (0, 1)), mode="symmetric"))[::2, ::2]
        x, y = down(x), down(y)
    return result


def ms_ssim(x, y, L):
    """Per channel of [c, h, w], then the mean over channels."""
    return float(np.mean([msssim_matlab(x[c], y[c], L) for c in range(x.shape[0])]))


def ssim_skimage(x, y, L):
    """[c, h, w]: skimage averages the channels' mean SSIM."""
    kw = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=L)
    if x.shape[0] == 1:
        return float(skimage.metrics.structural_similarity(x[0], y[0], **kw))
    return float(skimage.metrics.structural_similarity(x, y, channel_axis=0, **kw))


# ---------------------------------------------------------------------------------------------

def line(name, *values):
    return name + " " + " ".join(repr(float(v)) for v in values)


def feature_metrics():
    out = ["# Feature metrics: inputs from deterministic_inputs.hpp, references computed by",
           "# tests/metrics/make-test-vectors.py (see its docstring for each route)."]
    a, b = features(1, 300, 12), features(2, 200, 12) * 0.8 + 0.3
    out.append(line("fid_full_rank_sqrtm", fid_sqrtm(a, b)))
    a, b = features(3, 20, 40), features(4, 30, 40) * 1.5
    out.append(line("fid_rank_deficient_sqrtm", fid_sqrtm(a, b)))
    x, y = features(5, 40, 16), features(6, 50, 16) * 0.9 + 0.1
    out.append(line("kid_mmd2_unequal_sizes", mmd2_unbiased(x, y)))
    y40 = features(6, 40, 16) * 0.9 + 0.1
    out.append(line("kid_mmd2_equal_sizes", mmd2_unbiased(x, y40)))
    logits = 3.0 * bell(7, 50 * 10).reshape(50, 10)
    out.append(line("is_logits_10_splits", *inception_score(logits, 10)))
    out.append(line("is_logits_3_splits", *inception_score(logits, 3)))
    real, fake = features(8, 120, 6), features(9, 100, 6) * 1.2 + 0.5
    for k in (1, 3, 5):
        out.append(line(f"precision_recall_k{k}", *precision_recall(real, fake, k)))
    return out


BD_A = ([90.33, 181.03, 332.99, 547.79], [27.95, 31.17, 34.44, 38.11])
BD_B = ([127.1719, 186.14, 307.2924, 481.5588], [29.9286, 32.4165, 34.7013, 37.4561])
# Six points each, fitted by least squares: a codec curve and a better one, bpp and PSNR.
BD_C = ([0.12, 0.21, 0.35, 0.52, 0.80, 1.25], [28.1, 30.05, 31.9, 33.4, 35.2, 37.3])
BD_D = ([0.10, 0.18, 0.30, 0.47, 0.71, 1.10], [28.6, 30.7, 32.5, 34.0, 35.8, 37.6])


def bd_vectors():
    out = ["# BD-rate (percent) and BD-PSNR (dB) of the curves in bd-*.csv: numpy polyfit (VCEG-M33)",
           "# and scipy PchipInterpolator.integrate."]
    for name, (anchor, test) in {"published": (BD_A, BD_B), "six_points": (BD_C, BD_D)}.items():
        args = (*anchor, *test)
        out.append(line(f"bd_rate_cubic_{name}", bd_rate_cubic(*args)))
        out.append(line(f"bd_psnr_cubic_{name}", bd_psnr_cubic(*args)))
        out.append(line(f"bd_rate_pchip_{name}", bd_rate_pchip(*args)))
        out.append(line(f"bd_psnr_pchip_{name}", bd_psnr_pchip(*args)))
    return out


def write_curve(path, curve, header):
    with open(path, "w") as f:
        if header:
            f.write("rate,psnr\n")
        for r, q in zip(*curve):
            f.write(f"{r},{q}\n")


def camera_pair():
    """skimage 0.12-0.17's test images: its former data.camera() (kept in pywt.data) and a noisy
    copy, np.random.seed(5), σ = 20, clipped and truncated to uint8."""
    cam = pywt.data.camera()
    np.random.seed(5)
    cam_noisy = np.clip(cam + 20.0 * np.random.randn(*cam.shape), 0, 255).astype(cam.dtype)
    return cam, cam_noisy


def image_metrics():
    out = ["# Image metrics: inputs from deterministic_inputs.hpp (and camera*.png), references",
           "# from skimage and a port of msssim.m (tests/metrics/make-test-vectors.py)."]
    gray_x = image(11, 1, 37, 45)
    gray_y = noisy(12, gray_x, 0.3)
    out.append(line("ssim_gray_37x45_range1", ssim_skimage(gray_x, gray_y, 1.0)))
    out.append(line("psnr_gray_37x45_range1",
                    skimage.metrics.peak_signal_noise_ratio(gray_x, gray_y, data_range=1.0)))
    rgb_x = image(13, 3, 40, 33)
    rgb_y = noisy(14, rgb_x, 0.5)
    out.append(line("ssim_rgb_40x33_range1", ssim_skimage(rgb_x, rgb_y, 1.0)))
    out.append(line("ssim_rgb_40x33_range255", ssim_skimage(255 * rgb_x, 255 * rgb_y, 255.0)))
    out.append(line("psnr_rgb_40x33_range255",
                    skimage.metrics.peak_signal_noise_ratio(255 * rgb_x, 255 * rgb_y, data_range=255.0)))

    ms_x = image(15, 3, 171, 197)
    ms_y = noisy(16, ms_x, 0.4)
    out.append(line("ms_ssim_rgb_171x197_range1", ms_ssim(ms_x, ms_y, 1.0)))
    # Anti-correlated: contrast-structure terms below zero, clamped.
    out.append(line("ms_ssim_inverted_161x161_range1",
                    ms_ssim(image(17, 1, 161, 161), 1.0 - image(17, 1, 161, 161), 1.0)))

    cam, cam_noisy = camera_pair()
    x, y = cam.astype(np.float64)[None], cam_noisy.astype(np.float64)[None]
    matlab = np.load(os.path.join(os.path.dirname(skimage.__file__), "data", "mssim_matlab_output.npz"))
    out.append(line("camera_ssim_matlab", float(matlab["mssim_matlab"])))
    out.append(line("camera_ssim_skimage", ssim_skimage(x, y, 255.0)))
    out.append(line("camera_ms_ssim", ms_ssim(x, y, 255.0)))
    out.append(line("camera_psnr", skimage.metrics.peak_signal_noise_ratio(cam, cam_noisy, data_range=255)))
    return out, cam, cam_noisy, matlab["grad_matlab"]


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "feature-metrics.txt"), "w") as f:
        f.write("\n".join(feature_metrics()) + "\n")
    with open(os.path.join(OUT, "bd.txt"), "w") as f:
        f.write("\n".join(bd_vectors()) + "\n")
    write_curve(os.path.join(OUT, "bd-published-anchor.csv"), BD_A, header=False)
    write_curve(os.path.join(OUT, "bd-published-test.csv"), BD_B, header=False)
    write_curve(os.path.join(OUT, "bd-six-points-anchor.csv"), BD_C, header=True)
    write_curve(os.path.join(OUT, "bd-six-points-test.csv"), BD_D, header=True)

    lines, cam, cam_noisy, grad = image_metrics()
    with open(os.path.join(OUT, "image-metrics.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    Image.fromarray(cam).save(os.path.join(OUT, "camera.png"), optimize=True)
    Image.fromarray(cam_noisy).save(os.path.join(OUT, "camera-noisy.png"), optimize=True)
    # Avanaki's gradient of the mean SSIM with respect to the noisy image, rows and columns
    # 10..41: from 10 pixels in, it is the gradient of the mean over valid positions times
    # (502 / 512)² (it divides by the image's pixel count).
    with open(os.path.join(OUT, "camera-ssim-gradient-matlab.txt"), "w") as f:
        f.write("# grad_matlab[10:42, 10:42] of skimage/data/mssim_matlab_output.npz, row by row\n")
        for row in grad[10:42, 10:42]:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")


if __name__ == "__main__":
    main()
