"""What the Python peers share: the command line, the case files, and the timing rule.

The rule is bench/timing.hpp's, so engram-bench and the peers take their medians the same way:
one warm-up call, one timed call to size the repeats, then `repeats` samples of `inner`
back-to-back calls with inner chosen so a sample lasts at least `min_sample` seconds.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np


def measure(call, min_sample, repeats):
    call()
    t0 = time.perf_counter()
    call()
    once = max(time.perf_counter() - t0, 1e-9)
    inner = max(1, math.ceil(min_sample / once))
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            call()
        seconds.append((time.perf_counter() - start) / inner)
    return {"median_s": float(np.median(seconds)), "seconds": seconds, "inner": inner}


def blas_core():
    """The OpenBLAS kernel this process loaded (OPENBLAS_CORETYPE decides it), or None."""
    import ctypes

    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line and "/" in line}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return {"corename": lib.openblas_get_corename().decode(),
                    "threads": lib.openblas_get_num_threads(), "library": path}
        except (OSError, AttributeError):
            continue
    return None


def main(name, runners, setup=None):
    """Runs the cases named on the command line with `runners` (workload -> run(tensors, meta)
    returning (call, outputs)): `call()` does the work, `outputs()` gives its arrays afterwards."""
    parser = argparse.ArgumentParser(description=f"the {name} peer of make bench")
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--min-sample", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    info = setup() if setup else {}
    os.makedirs(args.out, exist_ok=True)
    report = {"cases": {}, **info}
    for case in args.cases.split(","):
        with np.load(os.path.join(args.data, case + ".npz")) as f:
            tensors = {k: f[k] for k in f.files if not k.startswith("meta_")}
            meta = {k[5:]: str(f[k]) for k in f.files if k.startswith("meta_")}
        call, outputs = runners[meta["workload"]](tensors, meta)
        report["cases"][case] = measure(call, args.min_sample, args.repeats)
        np.savez(os.path.join(args.out, case + ".npz"), **outputs())
        print(f"{name:>6} {case:>9}: {report['cases'][case]['median_s']:.4g} s", file=sys.stderr)
    report["blas"] = blas_core()
    json.dump(report, sys.stdout)
