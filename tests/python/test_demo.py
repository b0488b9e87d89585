"""The live demo from Python (SPEC M-06, M-07): principal components against NumPy, the
conditional memory's model file, LiveConditional stepped frame by frame, and DemoServer over real
HTTP on loopback (the same C++ server `engram serve` runs)."""

import base64
import http.client
import json
import urllib.error
import urllib.request

import numpy as np
import pytest

import engram


def labelled(rng, classes=3, per_class=5, size=16, noise=0.05):
    """Images near `classes` random prototypes in [0, 1], with their labels."""
    prototypes = rng.random((classes, size))
    labels = np.repeat(np.arange(classes), per_class)
    images = np.clip(prototypes[labels] + noise * rng.standard_normal((len(labels), size)), 0, 1)
    return images, labels


def test_principal_components_match_numpy_svd(rng):
    x = rng.standard_normal((40, 6)) * np.array([5.0, 3.0, 1.0, 0.5, 0.2, 0.1])
    pc = engram.principal_components(x, 3)
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(pc.mean, x.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(np.abs(pc.components @ vt[:3].T), np.eye(3), atol=1e-9)
    np.testing.assert_allclose(pc.variance, s[:3] ** 2 / 39, rtol=1e-10)
    np.testing.assert_allclose(pc.total_variance, (s**2).sum() / 39, rtol=1e-10)
    np.testing.assert_allclose(pc.project(x), centred @ pc.components.T, atol=1e-10)
    with pytest.raises(ValueError, match="k must be"):
        engram.principal_components(x, 7)


def test_conditional_memory_file_round_trip(rng, tmp_path):
    images, labels = labelled(rng)
    cm = engram.ConditionalMemory(16, 3, beta=5.0)
    cm.insert(images, labels)
    path = tmp_path / "memory.safetensors"
    cm.save(path, class_names=["a", "b", "c"], image_shape=[4, 4])
    back = engram.ConditionalMemory.load(path)
    np.testing.assert_array_equal(back.memory_images, cm.memory_images)
    np.testing.assert_array_equal(back.memory_labels, cm.memory_labels)
    assert back.beta == 5.0 and back.lam == cm.lam
    np.testing.assert_array_equal(back.generate(2).images, cm.generate(2).images)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(engram.Error):
        engram.ConditionalMemory.load(path)


def test_live_conditional_descends_within_segments_and_generates_the_label(rng):
    images, labels = labelled(rng)
    live = engram.LiveConditional(images, labels, beta=30.0, dt=0.1, steps_per_frame=3)
    assert live.mode == "generate" and live.settings["beta"] == 30.0
    previous = live.frame()
    for f in range(450):
        if f % 150 == 0:
            live.generate(f // 150)
        frame = live.advance()
        if frame["segment"] == previous["segment"]:
            assert frame["energy"] <= previous["energy"] + 1e-12 * (1 + abs(previous["energy"]))
        previous = frame
        if f % 150 == 149:
            d2 = ((images - frame["image"]) ** 2).sum(axis=1)
            assert labels[d2.argmin()] == f // 150
            assert frame["label"] == f // 150
    assert len(frame["pca"]) == 2
    expected = engram.principal_components(images, 2).project(frame["image"][None, :])[0]
    np.testing.assert_allclose(frame["pca"], expected, atol=1e-10)


def test_live_conditional_classifies_and_rejects_bad_input(rng):
    images, labels = labelled(rng)
    live = engram.LiveConditional(images, labels, beta=4.0)
    live.classify(images[7])
    assert live.frame()["probabilities"] == pytest.approx(np.full(3, 1 / 3))
    for _ in range(200):
        frame = live.advance()
    assert frame["mode"] == "classify" and frame["label"] == labels[7]
    np.testing.assert_array_equal(frame["image"], images[7])
    segment = frame["segment"]
    live.set(dt=0.05)
    assert live.frame()["segment"] == segment
    live.set(beta=2.0)
    assert live.frame()["segment"] == segment + 1
    with pytest.raises(ValueError, match="label must be in"):
        live.generate(3)
    with pytest.raises(ValueError, match="16 values"):
        live.classify(np.zeros(15))
    with pytest.raises(ValueError, match="dt must be in"):
        live.set(dt=5.0)


class Client:
    """JSON and event-stream requests to a running DemoServer."""

    def __init__(self, server):
        self.base = server.url.rstrip("/")
        self.port = server.port

    def call(self, method, path, body=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            assert e.headers["Content-Type"] == "application/json"
            return e.code, json.loads(e.read())

    def frames(self, session, n):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", f"/api/sessions/{session}/frames")
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/event-stream")
        frames = []
        while len(frames) < n:
            line = response.readline().decode()
            if line.startswith("data: "):
                frames.append(json.loads(line[6:]))
        connection.close()
        return frames


def test_demo_server_streams_frames_and_answers_controls(rng):
    images, labels = labelled(rng)
    with engram.DemoServer(images=images, labels=labels, beta=4.0, class_names=["a", "b", "c"],
                           port=0, fps=50, max_sessions=2) as server:
        assert server.running and server.port > 0
        client = Client(server)
        with urllib.request.urlopen(server.url, timeout=10) as page:
            assert b"<html" in page.read().lower()
        status, info = client.call("GET", "/api/info")
        assert status == 200 and info["classes"] == ["a", "b", "c"] and info["memories"] == 15
        status, created = client.call("POST", "/api/sessions", b"")
        assert status == 201
        session = created["id"]
        frames = client.frames(session, 20)
        assert [f["frame"] for f in frames] == list(range(1, 21))
        for a, b in zip(frames, frames[1:]):
            if a["segment"] == b["segment"]:
                assert b["energy"] <= a["energy"] + 1e-12 * (1 + abs(a["energy"]))
        status, answer = client.call("POST", f"/api/sessions/{session}/control",
                                     {"mode": "generate", "label": 1, "steps_per_frame": 10})
        assert status == 200 and answer["label"] == 1 and answer["auto"] is False
        last = client.frames(session, 30)[-1]
        assert last["label"] == 1
        pixels = base64.b64decode(last["image"])
        assert len(pixels) == 16
        status, read = client.call("POST", "/api/classify", {"pixels": last["image"]})
        assert status == 200 and read["label"] == 1 and read["class"] == "b"
        # Bad requests: JSON errors naming the problem.
        status, error = client.call("POST", f"/api/sessions/{session}/control", {"label": 9})
        assert status == 400 and "label must be an integer in [0, 3)" in error["error"]
        status, error = client.call("POST", f"/api/sessions/{session}/control", b"{oops")
        assert status == 400 and "not valid JSON" in error["error"]
        status, error = client.call("GET", "/api/sessions/" + "0" * 32 + "/frames")
        assert status == 404 and "no such session" in error["error"]
        # The limit: two sessions, then 503.
        assert client.call("POST", "/api/sessions", b"")[0] == 201
        status, error = client.call("POST", "/api/sessions", b"")
        assert status == 503 and "2 sessions are running" in error["error"]
        assert server.sessions == 2
    assert not server.running


def test_demo_server_from_the_dataset():
    with engram.DemoServer(dataset="mnist", memories=50, test_images=5, port=0) as server:
        client = Client(server)
        status, info = client.call("GET", "/api/info")
        assert info["dataset"] == "mnist" and info["image_shape"] == [28, 28]
        status, tests = client.call("GET", "/api/test-images?count=5")
        assert status == 200 and tests["total"] == 5
        assert [len(base64.b64decode(t["pixels"])) for t in tests["images"]] == [784] * 5
        status, memories = client.call("GET", "/api/memories")
        assert len(memories["pca"]) == 50 and memories["explained_variance"][0] > 0


def test_demo_server_rejects_bad_options(rng):
    images, labels = labelled(rng)
    with pytest.raises(ValueError, match="max_sessions"):
        engram.DemoServer(images=images, labels=labels, max_sessions=0)
    with pytest.raises(ValueError, match="images and labels together"):
        engram.DemoServer(images=images)
    with pytest.raises(ValueError, match="not square"):
        engram.DemoServer(images=images[:, :15], labels=labels)


def test_demo_server_runs_with_one_blas_thread_and_restores_the_count(rng):
    images, labels = labelled(rng)
    before = engram.set_blas_threads(2)
    try:
        with engram.DemoServer(images=images, labels=labels, port=0):
            assert engram.cpu_info()["blas_threads"] == 1
        assert engram.cpu_info()["blas_threads"] == 2
        with pytest.raises(ValueError, match="threads must be in"):
            engram.set_blas_threads(0)
    finally:
        engram.set_blas_threads(before)
