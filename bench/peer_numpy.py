"""The NumPy peer of make bench: the workloads of BENCHMARKS.md as a user would write them in
vectorised, batched NumPy (float32 states, energies accumulated in float64)."""
import numpy as np

import contender


def w1(t, meta):
    """M-12: T updates q ← Ξᵀ softmax(βΞq), all queries at once."""
    xi, q0 = t["xi"], t["queries"]
    beta, steps = np.float32(float(meta["beta"])), int(meta["steps"])
    out = {}

    def call():
        q = q0
        for _ in range(steps):
            s = (beta * q) @ xi.T  # B × K logits
            s -= s.max(1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(1, keepdims=True)
            q = s @ xi
        out["states"] = q

    return call, lambda: out


def w2_energy(v, m, mh, xv, beta_v):
    """M-05 energy per sample, in float64: the sigmoid layer's negative entropy / β, the softmax
    layer's Σ m̂ log m̂, and the synapse −m̂ᵀΞv̂ (xv = Ξv̂)."""
    vh = 1.0 / (1.0 + np.exp(-beta_v * v.astype(np.float64)))
    e_v = (vh * np.log(vh) + (1.0 - vh) * np.log1p(-vh)).sum(1) / beta_v
    m64 = m.astype(np.float64)
    shifted = m64 - m64.max(1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    e_m = (np.exp(log_p) * log_p).sum(1)
    e_s = -(mh.astype(np.float64) * xv).sum(1)
    return e_v + e_m + e_s


def w2(t, meta):
    """M-05: explicit Euler v ← v − α(v − Ξᵀm̂), m ← m − α(m − Ξv̂), the energy at every step."""
    xi, v0, m0 = t["xi"], t["v0"], t["m0"]
    steps, dt = int(meta["steps"]), np.float32(float(meta["dt"]))
    beta_v = 1.0 / (2.0 * xi.shape[1])
    out = {}

    def call():
        v, m = v0.copy(), m0.copy()
        energy = np.empty((steps + 1, v.shape[0]))
        for step in range(steps + 1):
            vh = 1.0 / (1.0 + np.exp(np.float32(-beta_v) * v))
            mh = np.exp(m - m.max(1, keepdims=True))
            mh /= mh.sum(1, keepdims=True)
            xv = vh @ xi.T  # Ξv̂, B × K
            energy[step] = w2_energy(v, m, mh, xv, beta_v)
            if step == steps:
                break
            xm = mh @ xi  # Ξᵀm̂, B × D
            v += dt * (xm - v)
            m += dt * (xv - m)
        out.update(v=v, m=m, energy=energy)

    return call, lambda: out


def hebbian(patterns):
    """M-10: W = ΞᵀΞ / N with a zero diagonal."""
    w = patterns.T @ patterns / np.float32(patterns.shape[1])
    np.fill_diagonal(w, 0.0)
    return w


def next_state(s, h):
    """sign(h), keeping s where h is exactly 0."""
    return np.where(h > 0, np.float32(1), np.where(h < 0, np.float32(-1), s))


def w3_sync(t, meta):
    """s ← sign(W s) for the rows still changing, until none changes or the iteration cap."""
    w, cues, cap = hebbian(t["patterns"]), t["cues"], int(meta["max_iterations"])
    out = {}

    def call():
        s = cues.copy()
        active = np.arange(len(s))
        for _ in range(cap):
            x = s[active]
            new = next_state(x, x @ w)
            changed = (new != x).any(1)
            s[active] = new
            active = active[changed]
            if len(active) == 0:
                break
        out["states"] = s

    return call, lambda: out


def w3_async(t, meta):
    """Random-order sweeps, all unsettled cues at once: each unit in turn takes the sign of its
    field, and the fields of the cues where it flipped get a rank-one update."""
    w, cues, cap = hebbian(t["patterns"]), t["cues"], int(meta["max_iterations"])
    seed = int(meta["seed"])
    out = {}

    def call():
        rng = np.random.default_rng(seed)
        s = cues.copy()
        active = np.arange(len(s))
        for _ in range(cap):
            x = s[active]
            h = x @ w
            unsettled = (next_state(x, h) != x).any(1)
            active, x, h = active[unsettled], x[unsettled], h[unsettled]
            if len(active) == 0:
                break
            for i in rng.permutation(w.shape[0]):
                new = next_state(x[:, i], h[:, i])
                flip = np.nonzero(new != x[:, i])[0]
                if len(flip):
                    h[flip] += (new[flip] - x[flip, i])[:, None] * w[i]
                    x[flip, i] = new[flip]
            s[active] = x
        out["states"] = s

    return call, lambda: out


if __name__ == "__main__":
    contender.main("numpy", {"w1": w1, "w2": w2, "w3-sync": w3_sync, "w3-async": w3_async},
                   lambda: {"version": np.__version__})
