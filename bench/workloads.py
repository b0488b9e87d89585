"""The workloads of BENCHMARKS.md: sizes, data, flop counts, and the agreement check.

Every contender (engram-bench, bench/peer_numpy.py, bench/peer_torch.py) reads the same case
files, written here once per run, so all of them compute on the same numbers.
"""
import numpy as np

# name -> workload, parameters. Flops per W1/W2 step: 4·B·K·D (two B×K×D products).
CASES = {
    "w1-S": dict(workload="w1", K=100, D=30, B=1, steps=1),
    "w1-M": dict(workload="w1", K=10_000, D=784, B=256, steps=3),
    "w1-L": dict(workload="w1", K=60_000, D=784, B=1_024, steps=1),
    "w2-S": dict(workload="w2", K=100, D=30, B=1, steps=500, dt=0.01),
    "w2-L": dict(workload="w2", K=10_000, D=784, B=64, steps=100, dt=0.01),
    "w3-sync": dict(workload="w3-sync", N=1_024, P=100, cues=1_000, flip=0.2, max_iterations=50),
    "w3-async": dict(workload="w3-async", N=1_024, P=100, cues=100, flip=0.2, max_iterations=20),
}


def flops(name):
    """Nominal floating-point operations of one run of the case (None where not a GEMM workload)."""
    c = CASES[name]
    if c["workload"] in ("w1", "w2"):
        return 4.0 * c["B"] * c["K"] * c["D"] * c["steps"]
    return None


def make_case(name, seed=2026):
    """(tensors, metadata) of one case: float32 arrays and string parameters."""
    c = CASES[name]
    rng = np.random.default_rng([seed, list(CASES).index(name)])
    meta = {k: str(v) for k, v in c.items()}
    if c["workload"] == "w1":
        # Gaussian memories; each query is a memory plus noise, so retrieval has a clear target.
        xi = rng.standard_normal((c["K"], c["D"]), dtype=np.float32)
        target = rng.integers(0, c["K"], c["B"])
        queries = xi[target] + 0.5 * rng.standard_normal((c["B"], c["D"]), dtype=np.float32)
        meta["beta"] = repr(1.0 / np.sqrt(c["D"]))
        return {"xi": xi, "queries": queries.astype(np.float32)}, meta
    if c["workload"] == "w2":
        # Seed 001: Ξ ~ U(0,1), v ~ U(0,1), m ~ N(0,1).
        xi = rng.random((c["K"], c["D"]), dtype=np.float32)
        v0 = rng.random((c["B"], c["D"]), dtype=np.float32)
        m0 = rng.standard_normal((c["B"], c["K"]), dtype=np.float32)
        return {"xi": xi, "v0": v0, "m0": m0}, meta
    # W3: random ±1 patterns; cue c is pattern c mod P with round(flip·N) distinct bits flipped.
    patterns = np.where(rng.random((c["P"], c["N"])) < 0.5, -1.0, 1.0).astype(np.float32)
    truth = np.arange(c["cues"]) % c["P"]
    cues = patterns[truth].copy()
    flips = int(round(c["flip"] * c["N"]))
    for row in cues:
        row[rng.choice(c["N"], flips, replace=False)] *= -1
    meta["seed"] = "7"
    return {"patterns": patterns, "cues": cues, "truth": truth.astype(np.float32)[:, None]}, meta


def summary(name, tensors, outputs):
    """A few numbers that describe a contender's result (printed, and compared across contenders)."""
    c = CASES[name]
    if c["workload"].startswith("w3"):
        truth = tensors["patterns"][tensors["truth"][:, 0].astype(int)]
        return {"mean_overlap": float(np.mean(np.sum(outputs["states"] * truth, 1) / c["N"]))}
    if c["workload"] == "w2":
        e = outputs["energy"]
        return {"energy_first": float(e[0, 0]), "energy_last": float(e[-1, 0])}
    return {"mean_abs_state": float(np.mean(np.abs(outputs["states"])))}


def disagreement(name, tensors, reference, outputs):
    """Why a peer's `outputs` disagree with engram's `reference`, or None when they agree.

    W1: states within 1e-3 of the largest entry. W2: states within 1e-3, and every recorded
    energy within 1e-3 of the energy's range over the run (the float32 states round differently
    in each contender; the energies themselves are accumulated in float64). W3: the mean final
    overlap with the true patterns within 0.002 for synchronous recall (exact integer fields on
    both sides; a cue caught in a 2-cycle may end on either of its states) and within 0.01 for
    asynchronous recall (each contender draws its own random orders).
    """
    w = CASES[name]["workload"]

    def close(key, tol, scale):
        a, b = np.asarray(reference[key], np.float64), np.asarray(outputs[key], np.float64)
        if a.shape != b.shape:
            return f"{key}: shape {b.shape}, engram {a.shape}"
        err = np.max(np.abs(a - b)) / scale(a)
        return None if err <= tol else f"{key}: difference {err:.2e} > {tol:g}"

    largest = lambda a: max(1.0, np.max(np.abs(a)))  # noqa: E731
    if w == "w1":
        return close("states", 1e-3, largest)
    if w == "w2":
        span = lambda a: max(1e-12, np.max(a) - np.min(a))  # noqa: E731
        return close("v", 1e-3, largest) or close("m", 1e-3, largest) or close(
            "energy", 1e-3, span)
    if reference["states"].shape != outputs["states"].shape:
        return f"states: shape {outputs['states'].shape}, engram {reference['states'].shape}"
    a = summary(name, tensors, reference)["mean_overlap"]
    b = summary(name, tensors, outputs)["mean_overlap"]
    tol = 0.002 if w == "w3-sync" else 0.01
    return None if abs(a - b) <= tol else f"mean overlap {b:.4f}, engram {a:.4f}"
