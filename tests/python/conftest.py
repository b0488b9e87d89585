"""Shared fixtures of the Python suite: seeded generators and tolerances (SPEC conventions:
about 1e-10 relative in float64, 1e-4 in float32)."""

import numpy as np
import pytest

import engram

TOL = {np.float64: 1e-10, np.float32: 1e-4}


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return request.param


def tol(dtype):
    """The relative tolerance for results computed in `dtype`."""
    return TOL[np.dtype(dtype).type]


def bipolar(rng, rows, cols):
    """Random +-1 patterns (rows, cols) as float64."""
    return np.where(rng.random((rows, cols)) < 0.5, -1.0, 1.0)
