"""engram: energy-based associative memory and neurodynamics.

Hopfield networks from the 1982 binary model to modern Hopfield networks and dense associative
memories, on one energy framework: layers of neurons with convex Lagrangians, synapses as energy
terms, and dynamics that descend the total energy (see SPEC M-01 .. M-04).

Arrays are NumPy arrays, one sample per row: a batch of B states of size D is (B, D); a 1-D array
is one sample. Everything runs in float32 or float64 (the dtype of the arrays a model is built
from, or dtype=...); energies are always float64. Bad input raises ValueError with the C++
message; a file that cannot be read raises engram.Error (a RuntimeError). Long computations
release the GIL.

    import numpy as np, engram
    rng = np.random.default_rng(0)
    xi = np.sign(rng.standard_normal((10, 64)))      # 10 stored +-1 patterns
    cue = xi[3] * np.where(rng.random(64) < 0.2, -1, 1)   # pattern 3 with ~20% of signs flipped
    net = engram.ModernHopfield(xi, beta=1.0)
    r = net.recall(cue)              # r.states, r.steps, r.converged, r.energy_trace
"""

from ._engram import *  # noqa: F401,F403 (the compiled classes and functions)
from ._engram import __version__, Error  # noqa: F401

from . import plotting  # noqa: F401
