#!/usr/bin/python3
"""Checks genlab run files against their contract, docs/hdf5-layout.md, by reading them with h5py.

    tests/io/check_run_file_with_h5py.py RUN.h5 [RUN2.h5 ...]

Reads every part of each file the way a Python user would (Debian's python3-h5py and numpy) and
checks it strictly: the header's attributes and their types, /config, every /scalars and /metrics
series, every image, the checkpoint's attributes and tensors, and that the file holds nothing the
document does not describe. Prints one line per file that passes; for a file that does not, prints
the file, the object and what is wrong, and exits 1 (after checking the other files). Exit 2: usage.

This is the writer's test: a change to what genlab writes must change docs/hdf5-layout.md and this
checker in the same commit (see the document's "Compatibility" section).
"""
import datetime
import re
import sys

import h5py
import numpy as np

FORMAT = 1  # the genlab_format this checker knows

SERIES_DTYPE = np.dtype([("step", "<i8"), ("value", "<f8")])
STEP_NAME = re.compile(r"^[0-9]{8}$")
TENSOR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
SETTING_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SERIES_NAME = re.compile(r"^[^/]+$")
RNG_STATE = re.compile(r"^[0-9a-f]{64}$")
CREATED = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
DEVICE = re.compile(r"^(cpu|cuda(:[0-9]+)?)$")
BACKENDS = {"onednn", "libtorch"}
BUFFERS = {"running_mean", "running_var", "num_batches_tracked"}  # module state no optimiser updates

# What each model writes beyond the common parts (the table "What each model writes" in the doc).
# optimizers: name -> kind; header: model-specific header attributes -> allowed values (None: any str).
MODELS = {
    "dcgan": dict(header={}, modules={"generator", "discriminator"},
                  optimizers={"generator": "adam", "discriminator": "adam"}, rngs={"noise"}, images={"samples"}),
    "pga": dict(header={"variant": {"lpga", "vpga", "vae"}}, modules={"encoder", "decoder"},
                optimizers={"sgd": "sgd"}, rngs={"noise"}, images={"samples"}),
    "classifier": dict(header={}, modules={"classifier"}, optimizers={"classifier": "adam"}, rngs=set(),
                       images=set()),
}
# `genlab eval <metric> --record` writes these names (kid: its mean; pr: precision and recall).
METRICS = {"fid", "kid", "precision", "recall", "is"}
OPTIMIZER_STATE = {"adam": ("exp_avg", "exp_avg_sq"), "sgd": ("momentum_buffer",)}
COMMON_HEADER = ("genlab_format", "genlab_version", "model", "backend", "device", "dataset", "created")


class Violation(Exception):
    def __init__(self, where, what):
        super().__init__(f"{where}: {what}")


def fail(where, what):
    raise Violation(where, what)


def obj_path(parent, name=None):
    path = parent.name if name is None else (parent.name.rstrip("/") + "/" + name)
    return path or "/"


# ---- Attributes: the HDF5 type on disk and the Python value h5py gives.

def attribute_kind(obj, name):
    """'int', 'float', 'bool', 'str' (variable-length UTF-8) or 'ascii' (fixed-length) or 'uint8', from
    the HDF5 type itself, not from what h5py converts it to."""
    where = f"{obj_path(obj)} attribute '{name}'"
    attr = h5py.h5a.open(obj.id, name.encode())
    if attr.shape != ():
        fail(where, f"has shape {attr.shape}; genlab writes scalar attributes only")
    t = attr.get_type()
    if isinstance(t, h5py.h5t.TypeEnumID):
        base = t.get_super()
        members = {t.get_member_name(i): t.get_member_value(i) for i in range(t.get_nmembers())}
        if base.get_size() != 1 or members != {b"FALSE": 0, b"TRUE": 1}:
            fail(where, f"is an enum {members} over {base.get_size()} bytes, not h5py's bool (int8 FALSE=0, TRUE=1)")
        return "bool"
    if isinstance(t, h5py.h5t.TypeIntegerID):
        if t.get_size() == 8 and t.get_sign() == h5py.h5t.SGN_2:
            return "int"
        if t.get_size() == 1 and t.get_sign() == h5py.h5t.SGN_NONE:
            return "uint8"
        fail(where, f"is a {t.get_size() * 8}-bit integer; genlab writes int64 (and uint8 for IMAGE_WHITE_IS_ZERO)")
    if isinstance(t, h5py.h5t.TypeFloatID):
        if t.get_size() != 8:
            fail(where, f"is a {t.get_size() * 8}-bit float, not float64")
        return "float"
    if isinstance(t, h5py.h5t.TypeStringID):
        if t.is_variable_str():
            if t.get_cset() != h5py.h5t.CSET_UTF8:
                fail(where, "is a variable-length string that is not UTF-8")
            return "str"
        if t.get_cset() != h5py.h5t.CSET_ASCII or t.get_strpad() != h5py.h5t.STR_NULLTERM:
            fail(where, "is a fixed-length string that is not NUL-terminated ASCII")
        return "ascii"
    fail(where, f"has HDF5 type class {t.get_class()}, not an integer, float, bool or string")


PYTHON_TYPES = {
    "int": lambda v: isinstance(v, np.int64),
    "float": lambda v: isinstance(v, np.float64),
    "bool": lambda v: isinstance(v, np.bool_),
    "str": lambda v: type(v) is str,
    "ascii": lambda v: isinstance(v, np.bytes_),
    "uint8": lambda v: isinstance(v, np.uint8),
}


def attribute(obj, name, kinds):
    """The value of attribute `name`, checked to be of one of `kinds` on disk and in Python."""
    where = f"{obj_path(obj)} attribute '{name}'"
    if name not in obj.attrs:
        fail(obj_path(obj), f"has no attribute '{name}'")
    kind = attribute_kind(obj, name)
    if kind not in kinds:
        fail(where, f"is {kind}, the contract says {' or '.join(kinds)}")
    value = obj.attrs[name]
    if not PYTHON_TYPES[kind](value):
        fail(where, f"is stored as {kind} but h5py reads it as {type(value).__name__}")
    return value


def no_attributes(obj):
    if len(obj.attrs):
        fail(obj_path(obj), f"has attributes {sorted(obj.attrs)} that docs/hdf5-layout.md does not describe")


def exact_attributes(obj, expected):
    """The attributes of obj, required to be exactly `expected` (name -> (kind, value))."""
    names = set(obj.attrs)
    if names != set(expected):
        extra, missing = sorted(names - set(expected)), sorted(set(expected) - names)
        fail(obj_path(obj), f"attributes differ from the contract: unknown {extra}, missing {missing}")
    for name, (kind, value) in expected.items():
        got = attribute(obj, name, (kind,))
        if got != value:
            fail(f"{obj_path(obj)} attribute '{name}'", f"is {got!r}, not {value!r}")


def int_attribute(obj, name, minimum=0):
    value = int(attribute(obj, name, ("int",)))
    if value < minimum:
        fail(f"{obj_path(obj)} attribute '{name}'", f"is {value}, below {minimum}")
    return value


# ---- The parts of the file.

class RunChecker:
    def __init__(self, path):
        self.path = path
        self.claimed = set()  # paths of the objects the contract describes and that were checked
        self.counts = {}

    def claim(self, obj):
        self.claimed.add(obj.name)

    def group(self, parent, name):
        link = parent.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            fail(obj_path(parent, name), f"is a {type(link).__name__}; genlab writes hard links only")
        obj = parent[name]
        if not isinstance(obj, h5py.Group):
            fail(obj_path(parent, name), f"is a {type(obj).__name__}, the contract says a group")
        self.claim(obj)
        return obj

    def dataset(self, parent, name):
        link = parent.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            fail(obj_path(parent, name), f"is a {type(link).__name__}; genlab writes hard links only")
        obj = parent[name]
        if not isinstance(obj, h5py.Dataset):
            fail(obj_path(parent, name), f"is a {type(obj).__name__}, the contract says a dataset")
        self.claim(obj)
        return obj

    def check(self):
        with h5py.File(self.path, "r") as f:
            self.header(f)
            unknown = sorted(set(f) - {"config", "scalars", "metrics", "images", "checkpoint"})
            if unknown:
                fail("/" + unknown[0], "is not part of the run file (docs/hdf5-layout.md)")
            self.config(f)
            checkpoint = self.checkpoint(f) if "checkpoint" in f else None
            if checkpoint is None:
                logged = [name for name in ("scalars", "metrics", "images") if name in f]
                if logged:
                    fail("/" + logged[0], "exists without /checkpoint, but genlab writes logs only with a checkpoint")
            last_step = checkpoint if checkpoint is not None else 0
            for group in ("scalars", "metrics"):
                if group in f:
                    self.series_group(f, group, last_step)
            if "images" in f:
                self.images(f, last_step)
            elif checkpoint is not None and MODELS[self.model]["images"]:
                fail("/images", f"is missing: a {self.model} checkpoint comes with a sample grid")
            self.nothing_else(f)
            self.python_round_trip(f)
        return self.summary(checkpoint)

    def header(self, f):
        where = "/ attribute 'genlab_format'"
        if "genlab_format" not in f.attrs:
            fail("/", "has no attribute 'genlab_format': not a genlab run file")
        version = attribute(f, "genlab_format", ("int",))
        if version != FORMAT:
            fail(where, f"is {version}; this checker knows format {FORMAT} (a new version is an incompatible change)")
        for name in ("genlab_version", "model", "backend", "device", "dataset", "created"):
            attribute(f, name, ("str",))
        self.model = f.attrs["model"]
        if self.model not in MODELS:
            fail("/ attribute 'model'", f"is '{self.model}', a model docs/hdf5-layout.md does not describe")
        if not VERSION.match(f.attrs["genlab_version"]):
            fail("/ attribute 'genlab_version'", f"'{f.attrs['genlab_version']}' is not MAJOR.MINOR.PATCH")
        if f.attrs["backend"] not in BACKENDS:
            fail("/ attribute 'backend'", f"'{f.attrs['backend']}' is not one of {sorted(BACKENDS)}")
        if not DEVICE.match(f.attrs["device"]):
            fail("/ attribute 'device'", f"'{f.attrs['device']}' is not cpu, cuda or cuda:N")
        if not f.attrs["dataset"]:
            fail("/ attribute 'dataset'", "is empty")
        created = f.attrs["created"]
        try:
            if not CREATED.match(created):
                raise ValueError
            datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            fail("/ attribute 'created'", f"'{created}' is not ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)")
        extra = MODELS[self.model]["header"]
        for name in sorted(set(f.attrs) - set(COMMON_HEADER)):
            if name not in extra:
                fail(f"/ attribute '{name}'", f"is not a header attribute of a {self.model} run (docs/hdf5-layout.md)")
        for name, allowed in extra.items():
            value = attribute(f, name, ("str",))
            if allowed is not None and value not in allowed:
                fail(f"/ attribute '{name}'", f"is '{value}', not one of {sorted(allowed)}")
        self.counts["header"] = len(f.attrs)

    def config(self, f):
        if "config" not in f:
            fail("/config", "is missing")
        config = self.group(f, "config")
        if len(config):
            fail(obj_path(config, sorted(config)[0]), "is inside /config, which holds attributes only")
        for name in config.attrs:
            if not SETTING_NAME.match(name):
                fail(f"/config attribute '{name}'", "is not a setting name (lower case, digits, _)")
            attribute(config, name, ("int", "float", "bool", "str"))
        if "backend" in config.attrs and config.attrs["backend"] != f.attrs["backend"]:
            fail("/config attribute 'backend'", f"'{config.attrs['backend']}' differs from the header's")
        for name in MODELS[self.model]["header"]:
            if name in config.attrs and config.attrs[name] != f.attrs[name]:
                fail(f"/config attribute '{name}'", f"'{config.attrs[name]}' differs from the header's")
        self.counts["settings"] = len(config.attrs)

    def series_group(self, f, group_name, last_step):
        group = self.group(f, group_name)
        no_attributes(group)
        points = 0
        for name in group:
            where = obj_path(group, name)
            if group_name == "metrics" and name not in METRICS:
                fail(where, f"is not a metric `genlab eval --record` writes ({sorted(METRICS)})")
            if not SERIES_NAME.match(name):
                fail(where, "has a name that is not a series name")
            series = self.dataset(group, name)
            no_attributes(series)
            if series.ndim != 1:
                fail(where, f"has shape {series.shape}, the contract says 1-D")
            if series.chunks is None:
                fail(where, "is not chunked")
            if series.maxshape != (None,):
                fail(where, f"has maxshape {series.maxshape}, the contract says (None,): unlimited")
            if series.dtype != SERIES_DTYPE or series.dtype.descr != SERIES_DTYPE.descr:
                fail(where, f"has dtype {series.dtype.descr}, the contract says {SERIES_DTYPE.descr}")
            data = series[()]
            steps, values = data["step"], data["value"]
            first = 1 if group_name == "scalars" else 0  # scalars come after a step; metrics at a checkpoint's
            if len(steps) and steps[0] < first:
                fail(where, f"has step {steps[0]}, below {first}")
            if np.any(np.diff(steps) <= 0):
                i = int(np.argmax(np.diff(steps) <= 0))
                fail(where, f"steps are not strictly increasing: step {steps[i + 1]} follows {steps[i]} (index {i + 1})")
            if len(steps) and steps[-1] > last_step:
                fail(where, f"has step {steps[-1]}, after the checkpoint's step {last_step}")
            if group_name == "scalars" and not np.all(np.isfinite(values)):
                fail(where, "has a value that is not finite (training stops before logging one)")
            if np.any(np.isnan(values)):
                fail(where, "has a NaN value")
            points += len(steps)
        self.counts[group_name] = (len(group), points)

    def images(self, f, last_step):
        images = self.group(f, "images")
        no_attributes(images)
        count = 0
        for name in images:
            if name not in MODELS[self.model]["images"]:
                fail(obj_path(images, name), f"is not an image series of a {self.model} run (docs/hdf5-layout.md)")
            series = self.group(images, name)
            no_attributes(series)
            steps = []
            for step_name in series:
                where = obj_path(series, step_name)
                if not STEP_NAME.match(step_name):
                    fail(where, "is not named by its step in 8 digits")
                image = self.dataset(series, step_name)
                self.image(image, where)
                steps.append(int(step_name))
                count += 1
            if not steps:
                fail(obj_path(series), "holds no image")
            if max(steps) != last_step:
                fail(obj_path(series), f"its last image is of step {max(steps)}, not of the checkpoint's step {last_step}")
        self.counts["images"] = count

    def image(self, image, where):
        if image.dtype != np.dtype("uint8"):
            fail(where, f"has dtype {image.dtype}, the contract says uint8")
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
            fail(where, f"has shape {image.shape}, not [H, W] or [H, W, C] with C in 1, 3, 4")
        if min(image.shape[:2]) < 1:
            fail(where, f"has shape {image.shape}, an empty image")
        channels = 1 if image.ndim == 2 else image.shape[2]
        spec = {"CLASS": ("ascii", b"IMAGE"), "IMAGE_VERSION": ("ascii", b"1.2")}
        if channels == 1:
            spec.update(IMAGE_SUBCLASS=("ascii", b"IMAGE_GRAYSCALE"), IMAGE_WHITE_IS_ZERO=("uint8", 0))
        elif channels == 3:
            spec.update(IMAGE_SUBCLASS=("ascii", b"IMAGE_TRUECOLOR"), INTERLACE_MODE=("ascii", b"INTERLACE_PIXEL"))
        else:
            spec = {}  # the image spec has no RGBA subclass: 4-channel images are plain arrays
        exact_attributes(image, spec)
        pixels = image[()]
        if pixels.dtype != np.uint8 or pixels.shape != image.shape:
            fail(where, f"reads back as {pixels.dtype} {pixels.shape}")

    def checkpoint(self, f):
        root = self.group(f, "checkpoint")
        spec = MODELS[self.model]
        step = int_attribute(root, "step")
        epoch = int_attribute(root, "epoch")
        batch = int_attribute(root, "batch")
        # step = epoch * (batches per epoch) + batch, with batch < batches per epoch.
        if epoch == 0 and batch != step:
            fail("/checkpoint", f"epoch 0, batch {batch} and step {step} disagree: in the first epoch batch == step")
        if epoch > 0 and ((step - batch) % epoch or batch >= (step - batch) // epoch):
            fail("/checkpoint", f"step {step} is not epoch {epoch} x (batches per epoch) + batch {batch}")
        rngs, optimizer_steps = set(), {}
        for name in root.attrs:
            if name in ("step", "epoch", "batch"):
                continue
            if m := re.fullmatch(r"rng\.(.+)", name):
                value = attribute(root, name, ("str",))
                if not RNG_STATE.match(value):
                    fail(f"/checkpoint attribute '{name}'", f"'{value}' is not 64 lower-case hex digits")
                rngs.add(m.group(1))
            elif m := re.fullmatch(r"optimizer\.(.+)\.step", name):
                optimizer_steps[m.group(1)] = int_attribute(root, name)
            else:
                fail(f"/checkpoint attribute '{name}'", "is not a checkpoint attribute docs/hdf5-layout.md describes")
        if rngs != spec["rngs"]:
            fail("/checkpoint", f"has random generators {sorted(rngs)}; a {self.model} run has {sorted(spec['rngs'])}")
        no_attributes_below = []
        modules = {name for name in root if not name.startswith("optimizer.")}
        optimizers = {name[len("optimizer."):] for name in root if name.startswith("optimizer.")}
        if modules != spec["modules"]:
            fail("/checkpoint", f"has modules {sorted(modules)}; a {self.model} run has {sorted(spec['modules'])}")
        if optimizers != set(spec["optimizers"]):
            fail("/checkpoint", f"has optimisers {sorted(optimizers)}; a {self.model} run has {sorted(spec['optimizers'])}")
        if set(optimizer_steps) != optimizers:
            fail("/checkpoint", f"optimizer.<name>.step attributes {sorted(optimizer_steps)} do not match the "
                                f"optimizer.<name> groups {sorted(optimizers)}")
        parameters = {}  # module -> tensor -> shape
        tensors = 0
        for module in sorted(modules):
            group = self.group(root, module)
            no_attributes_below.append(group)
            parameters[module] = {}
            if not len(group):
                fail(obj_path(group), "holds no tensor")
            for name in group:
                parameters[module][name] = self.tensor(group, name).shape
                tensors += 1
        for optimizer in sorted(optimizers):
            group = self.group(root, "optimizer." + optimizer)
            no_attributes_below.append(group)
            kinds = OPTIMIZER_STATE[spec["optimizers"][optimizer]]
            by_kind = {kind: set() for kind in kinds}
            for name in group:
                where = obj_path(group, name)
                kind, _, target = name.partition(".")
                if kind not in kinds or not target:
                    fail(where, f"is not {' or '.join(k + '.<tensor>' for k in kinds)} "
                                f"({spec['optimizers'][optimizer]} state)")
                module, tensor = self.parameter_of(optimizer, target, parameters, where)
                if tensor.rsplit(".", 1)[-1] in BUFFERS:
                    fail(where, f"is optimiser state for the buffer {module}/{tensor}")
                shape = self.tensor(group, name).shape
                if shape != parameters[module][tensor]:
                    fail(where, f"has shape {shape}, its parameter /checkpoint/{module}/{tensor} "
                                f"{parameters[module][tensor]}")
                if kind == "exp_avg_sq" and np.any(group[name][()] < 0):
                    fail(where, "has negative values; Adam's second moments are >= 0")
                by_kind[kind].add((module, tensor))
                tensors += 1
            if len({frozenset(v) for v in by_kind.values()}) > 1:
                fail(obj_path(group), f"the {'/'.join(kinds)} tensors are not of the same parameters")
        for group in no_attributes_below:
            no_attributes(group)
        self.counts["checkpoint"] = (step, len(modules), len(optimizers), tensors)
        return step

    def parameter_of(self, optimizer, target, parameters, where):
        """The (module, tensor) an optimiser state tensor belongs to: optimizer.<module> holds
        <kind>.<tensor>; an optimiser of several modules holds <kind>.<module>.<tensor>."""
        if optimizer in parameters:
            if target in parameters[optimizer]:
                return optimizer, target
            fail(where, f"has no parameter /checkpoint/{optimizer}/{target}")
        for module, tensors in parameters.items():
            if target.startswith(module + ".") and target[len(module) + 1:] in tensors:
                return module, target[len(module) + 1:]
        fail(where, f"names no parameter: neither /checkpoint/<module>/<tensor> for <module>.<tensor> = {target}")

    def tensor(self, group, name):
        where = obj_path(group, name)
        if not TENSOR_NAME.match(name):
            fail(where, "is not a dotted tensor name")
        tensor = self.dataset(group, name)
        no_attributes(tensor)
        if tensor.dtype != np.dtype("<f4"):
            fail(where, f"has dtype {tensor.dtype}, the contract says float32")
        if tensor.ndim == 0 or min(tensor.shape) < 1:
            fail(where, f"has shape {tensor.shape}; tensors have at least one dimension, each >= 1")
        values = tensor[()]
        if values.dtype != np.float32 or values.shape != tensor.shape:
            fail(where, f"reads back as {values.dtype} {values.shape}")
        if not np.all(np.isfinite(values)):
            fail(where, "has values that are not finite")
        return tensor

    def nothing_else(self, f):
        unknown = []

        def visit(name, obj):
            if obj.name not in self.claimed:
                unknown.append((obj.name, type(obj).__name__))

        f.visititems(visit)
        if unknown:
            name, kind = unknown[0]
            fail(name, f"is a {kind} that docs/hdf5-layout.md does not describe")

    def python_round_trip(self, f):
        """What Python users write: fields by name, images and tensors as numpy arrays."""
        for group in ("scalars", "metrics"):
            for name in f.get(group, {}):
                series = f[f"{group}/{name}"]
                steps, values = series["step"], series["value"]
                where = f"/{group}/{name}"
                if steps.dtype != np.int64 or values.dtype != np.float64:
                    fail(where, f'["step"], ["value"] read as {steps.dtype}, {values.dtype}, not int64, float64')
                if steps.shape != series.shape or values.shape != series.shape:
                    fail(where, f'["step"], ["value"] have shapes {steps.shape}, {values.shape}, not {series.shape}')
                whole = series[()]
                if not (np.array_equal(steps, whole["step"]) and np.array_equal(values, whole["value"])):
                    fail(where, '["step"] and ["value"] differ from the records read whole')
                if len(series) and (int(series[-1]["step"]) != int(steps[-1])):
                    fail(where, "the last record's step differs from the last of ['step']")
        if "images" in f:
            for name in f["images"]:
                snapshots = f["images"][name]
                names = sorted(snapshots)
                if [int(n) for n in names] != sorted(int(n) for n in names):
                    fail(f"/images/{name}", "names do not sort by step")

    def summary(self, checkpoint_step):
        def n(count, noun):
            return f"{count} {noun}" + ("" if count == 1 else "s")

        parts = [f"{self.model}, format {FORMAT}", n(self.counts["header"], "header attribute"),
                 n(self.counts["settings"], "setting")]
        for group, noun in (("scalars", "scalar series"), ("metrics", "metric series")):
            count, points = self.counts.get(group, (0, 0))
            parts.append(f"{count} {noun} ({n(points, 'point')})")
        parts.append(n(self.counts.get("images", 0), "image"))
        if checkpoint_step is None:
            parts.append("no checkpoint")
        else:
            step, modules, optimizers, tensors = self.counts["checkpoint"]
            parts.append(f"checkpoint at step {step} ({n(modules, 'module')}, {n(optimizers, 'optimiser')}, "
                         f"{n(tensors, 'tensor')})")
        return ", ".join(parts)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in argv[1:]:
        try:
            print(f"ok {path}: {RunChecker(path).check()}")
        except Violation as e:
            print(f"check_run_file_with_h5py: {path}: {e}", file=sys.stderr)
            failed += 1
        except (OSError, KeyError, ValueError, TypeError) as e:  # not HDF5, unreadable, broken types
            print(f"check_run_file_with_h5py: {path}: cannot read it with h5py: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
