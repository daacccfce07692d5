#!/usr/bin/python3
"""Reference outputs of the FID Inception-v3 for tests/features/test_inception.cpp, computed by an
independent PyTorch implementation of pytorch-fid's network (written here from its definition,
with torch.nn.functional only). The weights and images come from a closed formula that the C++ test
evaluates too, so no weights need to be stored:

    value[j] of the t-th tensor (state-dict keys in sorted order) = offset + a * (2 u - 1),
    u = splitmix64(2^32 t + j) / 2^64 (its top 53 bits)

an integer hash both languages compute exactly, with amplitude a = sqrt(6 / fan_in) for
convolutions and the fc layer (He initialisation's variance), and batch-norm statistics kept near 1
(see weights()). Run with Debian's python3-torch:

    /usr/bin/python3 tests/features/make-inception-vectors.py > tests/features/vectors/inception.txt
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def conv(name, cin, cout, kernel, padding=(0, 0), stride=1):
    return (name, cin, cout, kernel if isinstance(kernel, tuple) else (kernel, kernel),
            padding if isinstance(padding, tuple) else (padding, padding), stride)


def block_a(p, cin, pool):
    return [conv(p + ".branch1x1", cin, 64, 1), conv(p + ".branch5x5_1", cin, 48, 1), conv(p + ".branch5x5_2", 48, 64, 5, 2),
            conv(p + ".branch3x3dbl_1", cin, 64, 1), conv(p + ".branch3x3dbl_2", 64, 96, 3, 1),
            conv(p + ".branch3x3dbl_3", 96, 96, 3, 1), conv(p + ".branch_pool", cin, pool, 1)]


def block_b(p, cin):
    return [conv(p + ".branch3x3", cin, 384, 3, 0, 2), conv(p + ".branch3x3dbl_1", cin, 64, 1),
            conv(p + ".branch3x3dbl_2", 64, 96, 3, 1), conv(p + ".branch3x3dbl_3", 96, 96, 3, 0, 2)]


def block_c(p, cin, c7):
    return [conv(p + ".branch1x1", cin, 192, 1), conv(p + ".branch7x7_1", cin, c7, 1),
            conv(p + ".branch7x7_2", c7, c7, (1, 7), (0, 3)), conv(p + ".branch7x7_3", c7, 192, (7, 1), (3, 0)),
            conv(p + ".branch7x7dbl_1", cin, c7, 1), conv(p + ".branch7x7dbl_2", c7, c7, (7, 1), (3, 0)),
            conv(p + ".branch7x7dbl_3", c7, c7, (1, 7), (0, 3)), conv(p + ".branch7x7dbl_4", c7, c7, (7, 1), (3, 0)),
            conv(p + ".branch7x7dbl_5", c7, 192, (1, 7), (0, 3)), conv(p + ".branch_pool", cin, 192, 1)]


def block_d(p, cin):
    return [conv(p + ".branch3x3_1", cin, 192, 1), conv(p + ".branch3x3_2", 192, 320, 3, 0, 2),
            conv(p + ".branch7x7x3_1", cin, 192, 1), conv(p + ".branch7x7x3_2", 192, 192, (1, 7), (0, 3)),
            conv(p + ".branch7x7x3_3", 192, 192, (7, 1), (3, 0)), conv(p + ".branch7x7x3_4", 192, 192, 3, 0, 2)]


def block_e(p, cin):
    return [conv(p + ".branch1x1", cin, 320, 1), conv(p + ".branch3x3_1", cin, 384, 1),
            conv(p + ".branch3x3_2a", 384, 384, (1, 3), (0, 1)), conv(p + ".branch3x3_2b", 384, 384, (3, 1), (1, 0)),
            conv(p + ".branch3x3dbl_1", cin, 448, 1), conv(p + ".branch3x3dbl_2", 448, 384, 3, 1),
            conv(p + ".branch3x3dbl_3a", 384, 384, (1, 3), (0, 1)), conv(p + ".branch3x3dbl_3b", 384, 384, (3, 1), (1, 0)),
            conv(p + ".branch_pool", cin, 192, 1)]


CONVS = ([conv("Conv2d_1a_3x3", 3, 32, 3, 0, 2), conv("Conv2d_2a_3x3", 32, 32, 3), conv("Conv2d_2b_3x3", 32, 64, 3, 1),
          conv("Conv2d_3b_1x1", 64, 80, 1), conv("Conv2d_4a_3x3", 80, 192, 3)]
         + block_a("Mixed_5b", 192, 32) + block_a("Mixed_5c", 256, 64) + block_a("Mixed_5d", 288, 64)
         + block_b("Mixed_6a", 288) + block_c("Mixed_6b", 768, 128) + block_c("Mixed_6c", 768, 160)
         + block_c("Mixed_6d", 768, 160) + block_c("Mixed_6e", 768, 192) + block_d("Mixed_7a", 768)
         + block_e("Mixed_7b", 1280) + block_e("Mixed_7c", 2048))
GEOMETRY = {name: (padding, stride) for name, _, _, _, padding, stride in CONVS}


def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def formula(count, ordinal, amplitude, offset=0.0):
    x = (np.uint64(ordinal) << np.uint64(32)) + np.arange(count, dtype=np.uint64)
    u = (splitmix64(x) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    values = (offset + amplitude * (2.0 * u - 1.0)).astype(np.float32).astype(np.float64)
    return torch.from_numpy(values)


def weights():
    shapes = {}
    for name, cin, cout, (kh, kw), _, _ in CONVS:
        shapes[name + ".conv.weight"] = (cout, cin, kh, kw)
        for part in ("weight", "bias", "running_mean", "running_var"):
            shapes[name + ".bn." + part] = (cout,)
    shapes["fc.weight"] = (1008, 2048)
    shapes["fc.bias"] = (1008,)
    state = {}
    for ordinal, key in enumerate(sorted(shapes)):
        shape = shapes[key]
        count = math.prod(shape)
        if key.endswith("conv.weight") or key == "fc.weight":
            values = formula(count, ordinal, math.sqrt(6.0 / math.prod(shape[1:])))
        elif key.endswith("running_var"):
            values = formula(count, ordinal, 0.5, 1.0)
        elif key.endswith("bn.weight"):
            values = formula(count, ordinal, 0.2, 1.0)
        else:  # biases and running means
            values = formula(count, ordinal, 0.1)
        state[key] = values.reshape(shape)
    return state


def images():
    count = 2 * 3 * 64 * 48
    return formula(count, 0, 0.9, 0.0).reshape(2, 3, 64, 48)


def basic(state, name, x):
    padding, stride = GEOMETRY[name]
    x = F.conv2d(x, state[name + ".conv.weight"], stride=stride, padding=padding)
    x = F.batch_norm(x, state[name + ".bn.running_mean"], state[name + ".bn.running_var"], state[name + ".bn.weight"],
                     state[name + ".bn.bias"], training=False, eps=1e-3)
    return F.relu(x)


def mixed(state, p, kind, x):
    b = lambda n, y: basic(state, p + "." + n, y)
    avg = lambda y: F.avg_pool2d(y, 3, 1, 1, count_include_pad=False)
    if kind == "A":
        return torch.cat([b("branch1x1", x), b("branch5x5_2", b("branch5x5_1", x)),
                          b("branch3x3dbl_3", b("branch3x3dbl_2", b("branch3x3dbl_1", x))), b("branch_pool", avg(x))], 1)
    if kind == "B":
        return torch.cat([b("branch3x3", x), b("branch3x3dbl_3", b("branch3x3dbl_2", b("branch3x3dbl_1", x))),
                          F.max_pool2d(x, 3, 2)], 1)
    if kind == "C":
        s = b("branch7x7_3", b("branch7x7_2", b("branch7x7_1", x)))
        d = x
        for i in range(1, 6):
            d = b(f"branch7x7dbl_{i}", d)
        return torch.cat([b("branch1x1", x), s, d, b("branch_pool", avg(x))], 1)
    if kind == "D":
        s = b("branch3x3_2", b("branch3x3_1", x))
        d = b("branch7x7x3_4", b("branch7x7x3_3", b("branch7x7x3_2", b("branch7x7x3_1", x))))
        return torch.cat([s, d, F.max_pool2d(x, 3, 2)], 1)
    t = b("branch3x3_1", x)
    d = b("branch3x3dbl_2", b("branch3x3dbl_1", x))
    pool = F.max_pool2d(x, 3, 1, 1) if kind == "E2" else avg(x)
    return torch.cat([b("branch1x1", x), torch.cat([b("branch3x3_2a", t), b("branch3x3_2b", t)], 1),
                      torch.cat([b("branch3x3dbl_3a", d), b("branch3x3dbl_3b", d)], 1), b("branch_pool", pool)], 1)


def forward(state, x):
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3"):
        x = basic(state, name, x)
    first_pool = F.max_pool2d(x, 3, 2)
    x = F.max_pool2d(basic(state, "Conv2d_4a_3x3", basic(state, "Conv2d_3b_1x1", first_pool)), 3, 2)
    for name, kind in (("Mixed_5b", "A"), ("Mixed_5c", "A"), ("Mixed_5d", "A"), ("Mixed_6a", "B"), ("Mixed_6b", "C"),
                       ("Mixed_6c", "C"), ("Mixed_6d", "C"), ("Mixed_6e", "C"), ("Mixed_7a", "D"), ("Mixed_7b", "E1"),
                       ("Mixed_7c", "E2")):
        x = mixed(state, name, kind, x)
    pool = x.mean(dim=(2, 3))
    return first_pool, pool, pool @ state["fc.weight"].T


def main():
    state = weights()
    first_pool, pool, logits = forward(state, images())
    print("# FID Inception-v3 of pytorch-fid on formula weights; see make-inception-vectors.py")
    parameters = sum(v.numel() for k, v in state.items() if not k.endswith(("running_mean", "running_var")))
    print("parameter_count", parameters)
    print("first_pool_shape", *first_pool.shape)
    print("first_pool_samples", *[f"{v:.9g}" for v in first_pool.flatten()[::9973].tolist()])
    print("pool", *[f"{v:.9g}" for v in pool.flatten().tolist()])
    print("logits", *[f"{v:.9g}" for v in logits.flatten().tolist()])


if __name__ == "__main__":
    main()
