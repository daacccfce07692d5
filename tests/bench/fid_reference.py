#!/usr/bin/python3
"""FID of two sets of 10,000 x 2048 features the way pytorch-fid computes it, with Debian's
python3-numpy and python3-scipy: numpy.mean and numpy.cov (float64) for each set, then
scipy.linalg.sqrtm(Σ1 Σ2) and the trace of its real part, with pytorch-fid's retry on a diagonal
offset of 1e-6 when sqrtm returns values that are not finite. The reference that bench_metrics'
fid_* benchmarks are compared with (tests/bench/run-metrics).

    /usr/bin/python3 tests/bench/fid_reference.py [--write DIR] [--repeat 2]

Prints one JSON object: seconds for the statistics of both sets, for the distance, their sum
(each the best of --repeat runs), and the FID. With --write, the features are also written to
DIR/real.f32 and DIR/fake.f32 (float32, row-major) for bench_metrics --features=DIR.
"""
import argparse
import json
import os
import time

import numpy as np
import scipy
import scipy.linalg

SAMPLES, DIMENSIONS = 10000, 2048


def features():
    """Two sets of float32 features, as a network gives them: N(0, 1) and N(0.1, 1.1²)."""
    rng = np.random.default_rng(1)
    real = rng.standard_normal((SAMPLES, DIMENSIONS), dtype=np.float32)
    fake = (0.1 + 1.1 * rng.standard_normal((SAMPLES, DIMENSIONS), dtype=np.float32)).astype(np.float32)
    return real, fake


def statistics(activations):
    """pytorch-fid's calculate_activation_statistics on its float64 activations."""
    return np.mean(activations, axis=0), np.cov(activations, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance: sqrtm of the product, retried with an offset."""
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"imaginary component {np.max(np.abs(covmean.imag))}")
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="DIR", help="write real.f32 and fake.f32 here")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    real, fake = features()
    if args.write:
        real.tofile(os.path.join(args.write, "real.f32"))
        fake.tofile(os.path.join(args.write, "fake.f32"))
    # pytorch-fid collects activations into a float64 array.
    real64, fake64 = real.astype(np.float64), fake.astype(np.float64)

    best_statistics = best_distance = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        mu1, sigma1 = statistics(real64)
        mu2, sigma2 = statistics(fake64)
        middle = time.perf_counter()
        fid = frechet_distance(mu1, sigma1, mu2, sigma2)
        end = time.perf_counter()
        best_statistics = min(best_statistics, middle - start)
        best_distance = min(best_distance, end - middle)
    print(json.dumps({"numpy": np.__version__, "scipy": scipy.__version__, "statistics_s": best_statistics,
                      "distance_s": best_distance, "total_s": best_statistics + best_distance, "fid": fid}))


if __name__ == "__main__":
    main()
