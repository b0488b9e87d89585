"""The PyTorch (CPU) peer of make bench: the workloads of BENCHMARKS.md in torch, no_grad, with
two threads (float32 states, energies accumulated in float64)."""
import numpy as np
import torch

import contender


def w1(t, meta):
    """M-12: T updates q ← Ξᵀ softmax(βΞq), all queries at once."""
    xi, q0 = torch.from_numpy(t["xi"]), torch.from_numpy(t["queries"])
    beta, steps = float(meta["beta"]), int(meta["steps"])
    out = {}

    def call():
        q = q0
        for _ in range(steps):
            q = torch.softmax((beta * q) @ xi.T, dim=1) @ xi
        out["states"] = q

    return call, lambda: {"states": out["states"].numpy()}


def w2(t, meta):
    """M-05: explicit Euler v ← v − α(v − Ξᵀm̂), m ← m − α(m − Ξv̂), the energy at every step."""
    xi, v0, m0 = (torch.from_numpy(t[k]) for k in ("xi", "v0", "m0"))
    steps, dt = int(meta["steps"]), float(meta["dt"])
    beta_v = 1.0 / (2.0 * xi.shape[1])
    out = {}

    def call():
        v, m = v0.clone(), m0.clone()
        energy = torch.empty((steps + 1, v.shape[0]), dtype=torch.float64)
        for step in range(steps + 1):
            vh = torch.sigmoid(beta_v * v)
            mh = torch.softmax(m, dim=1)
            xv = vh @ xi.T  # Ξv̂, B × K
            vh64 = torch.sigmoid(beta_v * v.double())
            e_v = (vh64 * vh64.log() + (1 - vh64) * torch.log1p(-vh64)).sum(1) / beta_v
            log_p = torch.log_softmax(m.double(), dim=1)
            e_m = (log_p.exp() * log_p).sum(1)
            energy[step] = e_v + e_m - (mh.double() * xv).sum(1)
            if step == steps:
                break
            xm = mh @ xi  # Ξᵀm̂, B × D
            v += dt * (xm - v)
            m += dt * (xv - m)
        out.update(v=v, m=m, energy=energy)

    return call, lambda: {k: x.numpy() for k, x in out.items()}


def hebbian(patterns):
    """M-10: W = ΞᵀΞ / N with a zero diagonal."""
    p = torch.from_numpy(patterns)
    w = p.T @ p / p.shape[1]
    w.fill_diagonal_(0.0)
    return w


def next_state(s, h):
    """sign(h), keeping s where h is exactly 0."""
    return torch.where(h != 0, torch.sign(h), s)


def w3_sync(t, meta):
    """s ← sign(W s) for the rows still changing, until none changes or the iteration cap."""
    w, cues, cap = hebbian(t["patterns"]), torch.from_numpy(t["cues"]), int(meta["max_iterations"])
    out = {}

    def call():
        s = cues.clone()
        active = torch.arange(len(s))
        for _ in range(cap):
            x = s[active]
            new = next_state(x, x @ w)
            changed = (new != x).any(1)
            s[active] = new
            active = active[changed]
            if len(active) == 0:
                break
        out["states"] = s

    return call, lambda: {"states": out["states"].numpy()}


def w3_async(t, meta):
    """Random-order sweeps, all unsettled cues at once (see peer_numpy.w3_async)."""
    w, cues, cap = hebbian(t["patterns"]), torch.from_numpy(t["cues"]), int(meta["max_iterations"])
    seed = int(meta["seed"])
    out = {}

    def call():
        gen = torch.Generator().manual_seed(seed)
        s = cues.clone()
        active = torch.arange(len(s))
        for _ in range(cap):
            x = s[active]
            h = x @ w
            unsettled = (next_state(x, h) != x).any(1)
            active, x, h = active[unsettled], x[unsettled], h[unsettled]
            if len(active) == 0:
                break
            for i in torch.randperm(w.shape[0], generator=gen).tolist():
                new = next_state(x[:, i], h[:, i])
                flip = torch.nonzero(new != x[:, i]).flatten()
                if len(flip):
                    h[flip] += (new[flip] - x[flip, i])[:, None] * w[i]
                    x[flip, i] = new[flip]
            s[active] = x
        out["states"] = s

    return call, lambda: {"states": out["states"].numpy()}


def setup():
    torch.set_num_threads(2)
    torch.set_grad_enabled(False)
    return {"version": torch.__version__, "threads": torch.get_num_threads()}


if __name__ == "__main__":
    contender.main("torch", {"w1": w1, "w2": w2, "w3-sync": w3_sync, "w3-async": w3_async}, setup)
