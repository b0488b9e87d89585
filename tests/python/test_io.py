"""File I/O (SPEC M-42, M-40): model and graph files, safetensors, IDX, PNG and CSV, through real
files, checked against the formats' byte layouts read with struct and json."""

import gzip
import json
import struct

import numpy as np
import pytest

import engram


def small_graph(rng, dtype):
    xi = rng.standard_normal((4, 6))
    g = engram.EnergyGraph(dtype=dtype)
    g.add_layer("v", 6, engram.Sigmoid(beta=0.7))
    g.add_layer("m", 4, engram.Softmax(beta=2.0), tau=0.5)
    g.add_synapse("xi", ["m", "v"], engram.DenseSynapse(xi))
    return g


def test_model_file_round_trip(tmp_path, rng):
    w = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    config = {"beta": 0.5, "rule": "hebbian", "layers": [{"name": "v", "shape": [5]}]}
    path = tmp_path / "net.safetensors"
    engram.save_model_file(path, engram.ModelFile("test_model", config, {"W": w, "b": b}))

    assert engram.model_file_kind(path) == "test_model"
    f = engram.load_model_file(str(path))  # str or pathlib
    assert f.kind == "test_model" and f.config == config
    assert f.dtype == np.float32  # the recorded precision
    assert set(f.tensors) == {"W", "b"}
    np.testing.assert_array_equal(f.tensors["W"], w)
    assert f.tensors["b"].shape == (1, 5)  # a vector is stored as 1 x D
    np.testing.assert_array_equal(f.tensors["b"][0], b)

    # Converted on request; the parts-wise overload writes the same file.
    f64 = engram.load_model_file(path, dtype=np.float64)
    assert f64.dtype == np.float64 and f64.tensors["W"].dtype == np.float64
    np.testing.assert_array_equal(f64.tensors["W"], w.astype(np.float64))
    engram.save_model_file(tmp_path / "parts.safetensors", "test_model", config, {"W": w, "b": b})
    assert (tmp_path / "parts.safetensors").read_bytes() == path.read_bytes()

    # A plain safetensors reader sees the metadata and F32 tensors.
    tensors, metadata = engram.read_safetensors(path)
    assert metadata["format"] == "engram" and metadata["scalar"] == "float32"
    assert json.loads(metadata["config"]) == config
    assert tensors["W"].dtype == np.float32

    # config and tensors are the file's own dicts: edits are saved.
    f.tensors["extra"] = np.ones((2, 2), np.float32)
    f.config["beta"] = 2.0
    engram.save_model_file(path, f)
    g = engram.load_model_file(path)
    assert g.config["beta"] == 2.0 and g.tensors["extra"].tolist() == [[1, 1], [1, 1]]
    assert "extra" in repr(g) and "float32" in repr(g)


def test_model_file_rejects_bad_contents(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        engram.save_model_file(tmp_path / "a.safetensors", "", {}, {})
    with pytest.raises(ValueError):  # NaN is not JSON
        engram.ModelFile("k", {"beta": float("nan")})
    with pytest.raises(ValueError, match=r"tensors\['W'\]"):
        engram.save_model_file(tmp_path / "a.safetensors", "k", {}, {"W": np.zeros((2, 2, 2))})
    assert not (tmp_path / "a.safetensors").exists()


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_graph_round_trip_keeps_energies(tmp_path, rng, dtype):
    g = small_graph(rng, dtype)
    path = tmp_path / "graph.safetensors"
    engram.save_graph(path, g)
    assert engram.model_file_kind(path) == "energy_graph"

    h = engram.load_graph(path)
    assert h.dtype == dtype
    assert [l.name for l in h.layers] == ["v", "m"] and h.layers[1].tau == 0.5
    assert [c.name for c in h.synapses] == ["xi"]
    v = rng.standard_normal((7, 6))
    m = rng.standard_normal((7, 4))
    np.testing.assert_array_equal(h.energy(h.state(v=v, m=m)), g.energy(g.state(v=v, m=m)))
    grad_g, grad_h = g.grad(g.state(v=v, m=m)), h.grad(h.state(v=v, m=m))
    for name in ("v", "m"):
        np.testing.assert_array_equal(grad_h[name], grad_g[name])

    # The file as a ModelFile: config and the synapse parameter "xi.W".
    f = engram.load_model_file(path)
    assert [l["name"] for l in f.config["layers"]] == ["v", "m"]
    assert set(f.tensors) == {"xi.W"}
    np.testing.assert_array_equal(f.tensors["xi.W"], g.synapse("xi").W)
    again = engram.graph_from_file(engram.graph_to_file(g))
    np.testing.assert_array_equal(again.energy(again.state(v=v)), g.energy(g.state(v=v)))


def test_safetensors_dtypes_and_layout(tmp_path, rng):
    tensors = {
        "f64": rng.standard_normal((2, 3)),
        "f32": rng.standard_normal(4).astype(np.float32),
        "f16": np.array([[0.5, -2.0]], dtype=np.float16),
        "i64": np.arange(-3, 3, dtype=np.int64).reshape(3, 2),
        "i32": np.array([7, -9], dtype=np.int32),
        "u8": np.arange(6, dtype=np.uint8).reshape(1, 2, 3),
        "i16": np.array([-300, 300], dtype=">i2"),  # big-endian in, little-endian on disk
        "flag": np.array([True, False, True]),
        "scalar": np.array(3.25),
    }
    path = tmp_path / "t.safetensors"
    engram.write_safetensors(path, tensors, {"note": "hello"})
    back, metadata = engram.read_safetensors(path)
    assert metadata == {"note": "hello"}
    assert set(back) == set(tensors)
    for name, a in tensors.items():
        assert back[name].shape == a.shape, name
        assert back[name].dtype == a.dtype.newbyteorder("="), name
        np.testing.assert_array_equal(back[name], a)

    # The layout: u64 little-endian header length, JSON header, little-endian data.
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    assert header["__metadata__"] == {"note": "hello"}
    assert header["i16"]["dtype"] == "I16" and header["f16"]["dtype"] == "F16"
    begin, end = header["i16"]["data_offsets"]
    assert struct.unpack("<2h", raw[8 + n + begin : 8 + n + end]) == (-300, 300)

    # BF16 has no NumPy type: written from and read back as its raw uint16 bits.
    bits = np.array([0x3F80, 0xC000], dtype=np.uint16)  # 1.0, -2.0
    engram.write_safetensors(tmp_path / "bf.safetensors", {"w": ("BF16", bits)})
    t, _ = engram.read_safetensors(tmp_path / "bf.safetensors")
    assert t["w"].dtype == np.uint16
    np.testing.assert_array_equal((t["w"].astype(np.uint32) << 16).view(np.float32), [1.0, -2.0])

    with pytest.raises(ValueError, match="complex128"):
        engram.write_safetensors(tmp_path / "c.safetensors", {"z": np.zeros(2, complex)})
    with pytest.raises(ValueError, match="metadata"):
        engram.write_safetensors(tmp_path / "c.safetensors", {}, {"n": 1})


def test_safetensors_written_by_hand_is_read(tmp_path):
    # A file built from the format's definition, not by engram's writer.
    data = struct.pack("<3d", 1.0, 2.5, -4.0) + struct.pack("<2q", 5, -6)
    header = json.dumps(
        {
            "a": {"dtype": "F64", "shape": [3], "data_offsets": [0, 24]},
            "b": {"dtype": "I64", "shape": [1, 2], "data_offsets": [24, 40]},
        }
    ).encode()
    path = tmp_path / "hand.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)
    tensors, metadata = engram.read_safetensors(path)
    assert metadata == {}
    np.testing.assert_array_equal(tensors["a"], [1.0, 2.5, -4.0])
    assert tensors["b"].dtype == np.int64 and tensors["b"].tolist() == [[5, -6]]


@pytest.mark.parametrize("suffix", ["", ".gz"], ids=["plain", "gzip"])
def test_idx_round_trip(tmp_path, rng, suffix):
    arrays = {
        "u8": rng.integers(0, 256, (5, 4, 3)).astype(np.uint8),
        "i8": np.array([-128, 0, 127], dtype=np.int8),
        "i16": np.array([[-30000, 12], [7, 30000]], dtype=np.int16),
        "i32": np.array([-(2**31), 2**31 - 1], dtype=np.int32),
        "f32": rng.standard_normal((2, 3)).astype(np.float32),
        "f64": rng.standard_normal(4),
    }
    for name, a in arrays.items():
        path = tmp_path / f"{name}.idx{suffix}"
        engram.write_idx(path, a)
        b = engram.read_idx(path)
        assert b.dtype == a.dtype and b.shape == a.shape, name
        np.testing.assert_array_equal(b, a)

    raw = (tmp_path / f"u8.idx{suffix}").read_bytes()
    if suffix:
        assert raw[:2] == b"\x1f\x8b"
        raw = gzip.decompress(raw)
    # Magic 00 00 08 (u8) 03 (rank), then big-endian u32 dims, then the bytes.
    assert raw[:4] == b"\x00\x00\x08\x03"
    assert struct.unpack(">3I", raw[4:16]) == (5, 4, 3)
    assert raw[16:] == arrays["u8"].tobytes()
    raw16 = (tmp_path / f"i16.idx{suffix}").read_bytes()
    raw16 = gzip.decompress(raw16) if suffix else raw16
    assert struct.unpack(">4h", raw16[12:]) == (-30000, 12, 7, 30000)

    with pytest.raises(ValueError, match="int64"):
        engram.write_idx(tmp_path / "x.idx", np.zeros(3, dtype=np.int64))


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, color


def test_png_encoding_and_files(tmp_path, rng):
    gray = rng.random((5, 7))
    data = engram.encode_png(gray)
    assert isinstance(data, bytes)
    assert png_size(data) == (7, 5, 8, 0)  # 8-bit greyscale
    assert png_size(engram.encode_png(gray, lo=-1, hi=2, scale=3))[:2] == (21, 15)
    engram.write_png(tmp_path / "g.png", gray, 0.0, 1.0, 1)
    assert (tmp_path / "g.png").read_bytes() == data

    rgb = rng.random((4, 6, 3)).astype(np.float32)
    assert png_size(engram.encode_png_rgb(rgb, scale=2)) == (12, 8, 8, 2)  # truecolour
    engram.write_png_rgb(str(tmp_path / "c.png"), rgb)
    assert (tmp_path / "c.png").read_bytes() == engram.encode_png_rgb(rgb)

    with pytest.raises(ValueError):
        engram.encode_png(gray, lo=1, hi=0)
    with pytest.raises(ValueError, match="H, W, 3"):
        engram.encode_png_rgb(gray)


def test_tile_images_layout():
    images = np.arange(5 * 6, dtype=np.float32).reshape(5, 6) / 30  # five 2 x 3 images
    grid = engram.tile_images(images, 2, 3, columns=3, pad=1, pad_value=-1.0)
    # C = 3 columns, R = 2 rows: (2*2 + 3*1) x (3*3 + 4*1).
    assert grid.shape == (7, 13) and grid.dtype == np.float32
    for n in range(5):
        r, c = 1 + (n // 3) * 3, 1 + (n % 3) * 4
        np.testing.assert_array_equal(grid[r : r + 2, c : c + 3], images[n].reshape(2, 3))
    assert (grid[4:6, 9:12] == -1).all()  # the unused sixth cell
    assert (grid[0] == -1).all() and (grid[:, 0] == -1).all()


def test_write_csv(tmp_path, rng):
    values = rng.standard_normal((4, 3))
    path = tmp_path / "t.csv"
    engram.write_csv(path, ["step", "mean", "x"], values)
    lines = path.read_text().splitlines()
    assert lines[0] == "step,mean,x"
    np.testing.assert_array_equal(np.loadtxt(path, delimiter=",", skiprows=1), values)
    with pytest.raises(ValueError, match="column"):
        engram.write_csv(path, ["a"], values)


def test_truncated_and_garbled_files_raise_engram_error(tmp_path, rng):
    good = tmp_path / "g.safetensors"
    engram.save_graph(good, small_graph(rng, np.float64))
    raw = good.read_bytes()

    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(raw[:-10])
    for load in (engram.load_model_file, engram.load_graph, engram.read_safetensors):
        with pytest.raises(engram.Error, match="truncated.safetensors"):
            load(truncated)

    garbled = tmp_path / "garbled.safetensors"
    garbled.write_bytes(raw[:8] + b"{not json" + raw[17:])
    with pytest.raises(engram.Error, match="garbled.safetensors"):
        engram.model_file_kind(garbled)

    # A valid safetensors file that is not an engram model file, and a model of another kind.
    foreign = tmp_path / "foreign.safetensors"
    engram.write_safetensors(foreign, {"w": np.zeros(2)})
    with pytest.raises(engram.Error, match="not an engram model file"):
        engram.load_model_file(foreign)
    other = tmp_path / "other.safetensors"
    engram.save_model_file(other, "modern_hopfield", {}, {})
    with pytest.raises(engram.Error, match="other.safetensors"):
        engram.load_graph(other)

    idx = tmp_path / "short.idx"
    engram.write_idx(idx, np.zeros((3, 4), dtype=np.uint8))
    idx.write_bytes(idx.read_bytes()[:-1])
    with pytest.raises(engram.Error, match="short.idx"):
        engram.read_idx(idx)
    assert issubclass(engram.Error, RuntimeError)
    with pytest.raises(engram.Error, match="missing.idx"):
        engram.read_idx(tmp_path / "missing.idx")
