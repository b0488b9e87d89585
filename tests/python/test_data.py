"""Datasets (SPEC M-40), corruptions (M-41) and pixel transforms, against their definitions
recomputed with NumPy."""

import numpy as np
import pytest

import engram
from conftest import bipolar


def test_load_mnist_test_split():
    ds = engram.load_dataset("mnist", "test", limit=50)
    assert ds.name == "mnist" and ds.split == "test" and len(ds) == 50
    assert ds.rows == 28 and ds.cols == 28
    assert ds.images.shape == (50, 784) and ds.images.dtype == np.float32
    assert ds.labels.shape == (50,) and ds.labels.dtype == np.uint8
    assert ds.images.min() == 0.0 and ds.images.max() == 1.0
    # Pixels are k/255 for bytes k.
    k = ds.images * 255
    np.testing.assert_allclose(k, np.round(k), atol=1e-4)
    assert (ds.labels < 10).all() and len(set(ds.labels.tolist())) > 5
    assert ds.class_names == [str(d) for d in range(10)]
    assert ds.labels[:5].tolist() == [7, 2, 1, 0, 4]  # MNIST's first test digits
    assert "mnist" in repr(ds)
    # The same examples with a larger limit: limit keeps the first ones.
    np.testing.assert_array_equal(engram.load_dataset("mnist", "test", 60).images[:50], ds.images)


def test_load_dataset_errors():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        engram.load_dataset("cifar")
    with pytest.raises(ValueError, match="split"):
        engram.load_dataset("mnist", "validation")
    with pytest.raises(ValueError, match="limit"):
        engram.load_dataset("mnist", "test", limit=0)
    assert (engram.data_dir() / "mnist").is_dir()
    assert engram.fashion_dir().name == "fashion-mnist"


def test_corruption_spec():
    c = engram.Corruption("flip:0.25")
    assert c.kind == "flip" and c.amount == 0.25 and str(c) == "flip:0.25"
    assert engram.Corruption.parse(c.to_string()) == c
    assert engram.Corruption("half").kind == "half" and engram.Corruption("half").amount == 0
    assert repr(engram.Corruption("noise:0.5")) == "engram.Corruption('noise:0.5')"
    for bad in ("flip:1.5", "mask", "noise:-1", "blur:2"):
        with pytest.raises(ValueError, match="not understood"):
            engram.Corruption(bad)


def test_flip_statistics_and_mask(rng):
    x = bipolar(rng, 200, 400)
    y, mask = engram.corrupt(x, "flip:0.2", 20, 20, seed=5, return_mask=True)
    assert y.shape == x.shape and y.dtype == np.float64 and mask.dtype == np.bool_
    # The mask is exactly the changed entries, and each of them flipped sign (lo + hi - x = -x).
    np.testing.assert_array_equal(mask, y != x)
    np.testing.assert_array_equal(y[mask], -x[mask])
    # 80,000 Bernoulli(0.2) draws: the fraction is within 5 standard errors of 0.2.
    assert abs(mask.mean() - 0.2) < 5 * np.sqrt(0.2 * 0.8 / x.size)
    # Pixels in [0, 1] invert: lo + hi - x.
    p = rng.random((3, 16))
    q, m = engram.corrupt(p, engram.Corruption("flip:0.5"), 4, 4, lo=0, hi=1, seed=2,
                          return_mask=True)
    np.testing.assert_allclose(q[m], 1 - p[m])
    np.testing.assert_array_equal(q[~m], p[~m])


def test_mask_hides_exactly_round_fd_per_row(rng):
    x = bipolar(rng, 30, 49)
    for fraction in (0.0, 0.1, 0.33, 1.0):
        y, mask = engram.corrupt(x, f"mask:{fraction}", 7, 7, fill=-1, seed=3, return_mask=True)
        np.testing.assert_array_equal(mask.sum(axis=1), round(fraction * 49))
        assert (y[mask] == -1).all()
        np.testing.assert_array_equal(y[~mask], x[~mask])
    # Different rows get different masks.
    _, mask = engram.corrupt(x, "mask:0.5", 7, 7, seed=3, return_mask=True)
    assert len({row.tobytes() for row in mask}) > 1


def test_half_masks_exactly_the_lower_rows(rng):
    x = rng.random((4, 5 * 3))  # 5 x 3 images: rows 2, 3, 4 are the lower half (r >= 5 // 2)
    y, mask = engram.corrupt(x, "half", 5, 3, lo=0, hi=1, fill=0.5, return_mask=True)
    expected = np.zeros((5, 3), bool)
    expected[2:] = True
    for i in range(4):
        np.testing.assert_array_equal(mask[i].reshape(5, 3), expected)
    np.testing.assert_array_equal(y[:, 6:], 0.5)
    np.testing.assert_array_equal(y[:, :6], x[:, :6])


def test_noise_is_clipped_and_seeded(rng, dtype):
    x = bipolar(rng, 10, 64).astype(dtype)
    y, mask = engram.corrupt(x, "noise:0.8", 8, 8, seed=11, return_mask=True)
    assert y.dtype == dtype and mask.all()
    assert y.min() >= -1 and y.max() <= 1
    assert (y == 1).any() and (y == -1).any() and ((y > -1) & (y < 1)).any()
    # Same seed, same output; another seed, another one. One image comes back 1-D.
    np.testing.assert_array_equal(engram.corrupt(x, "noise:0.8", 8, 8, seed=11), y)
    assert not np.array_equal(engram.corrupt(x, "noise:0.8", 8, 8, seed=12), y)
    one = engram.corrupt(x[0], "flip:0.3", 8, 8, seed=1)
    assert one.shape == (64,) and one.dtype == dtype


def test_corrupt_errors(rng):
    x = bipolar(rng, 2, 16)
    with pytest.raises(ValueError):
        engram.corrupt(x, "half", 5, 5)  # 25 != 16
    with pytest.raises(ValueError):
        engram.corrupt(x * 2, "flip:0.1", 4, 4)  # entries outside [lo, hi]
    with pytest.raises(ValueError):
        engram.corrupt(x, "mask:0.1", 4, 4, fill=3)
    with pytest.raises(TypeError, match="corruption"):
        engram.corrupt(x, 0.1, 4, 4)


def test_transforms_match_numpy(rng, dtype):
    x = rng.random((3, 4, 5)).astype(dtype)
    b = engram.binarize(x, threshold=0.4)
    assert b.dtype == dtype and b.shape == x.shape
    np.testing.assert_array_equal(b, np.where(x >= 0.4, 1, -1).astype(dtype))
    s = engram.to_bipolar(x)
    assert s.dtype == dtype and s.shape == x.shape
    np.testing.assert_allclose(s, 2 * x - 1, rtol=0, atol=1e-7)
    back = engram.from_bipolar(s)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, (s + 1) / 2, rtol=0, atol=1e-7)
    np.testing.assert_allclose(back, x, rtol=0, atol=1e-6)
    assert engram.binarize(np.array([0.5, 0.49])).tolist() == [1.0, -1.0]
    with pytest.raises(ValueError):
        engram.binarize(np.array([0.1, np.nan]))
