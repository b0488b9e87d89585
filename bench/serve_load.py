#!/usr/bin/python3
"""Load test of `engram serve` (issue 8, a bench, not a timed test): N concurrent event-stream
clients on loopback for S seconds, each with its own session. Prints the errors (must be 0), the
frames per second each client received (min / median / mean / max against the server's target),
the total frame rate and the server's CPU use; exits 1 on any error.

    make bench-serve                                   # 100 clients, 30 s
    /usr/bin/python3 bench/serve_load.py --clients 20 --seconds 5
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(binary, clients, fps, dataset, memories):
    """`engram serve --port 0`; returns the process and its port once it prints its URL."""
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--max-sessions", str(clients), "--fps", str(fps),
         "--dataset", dataset, "--memories", str(memories)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if match:
            return process, int(match.group(1))
    process.kill()
    sys.exit("serve_load: the server did not print its URL")


async def request(port, method, path, body=b""):
    """One HTTP/1.1 request; returns (status, JSON body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                 f"Connection: close\r\n\r\n".encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


async def client(port, seconds, result):
    """Opens a session and reads its frames until `seconds` pass; every frame must parse."""
    try:
        status, created = await request(port, "POST", "/api/sessions")
        if status != 201:
            raise RuntimeError(f"POST /api/sessions answered {status}: {created}")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {created['frames']} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
        if b" 200 " not in status_line:
            raise RuntimeError(f"frames answered {status_line!r}")
        start = None
        end = time.monotonic() + seconds
        last = 0
        while time.monotonic() < end:
            line = await asyncio.wait_for(reader.readline(), timeout=5)
            if not line:
                raise RuntimeError("the stream ended early")
            if line.startswith(b"data: "):
                frame = json.loads(line[6:])
                if frame["frame"] != last + 1:
                    raise RuntimeError(f"frame {frame['frame']} after {last}")
                last = frame["frame"]
                if start is None:
                    start = time.monotonic()
                result["frames"] += 1
        result["fps"] = (result["frames"] - 1) / (time.monotonic() - start) if start else 0.0
        writer.close()
    except Exception as e:  # noqa: BLE001 (every failure is counted and reported)
        result["error"] = f"{type(e).__name__}: {e}"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(port, clients, seconds):
    results = [{"frames": 0, "fps": 0.0, "error": None} for _ in range(clients)]
    await asyncio.gather(*(client(port, seconds, r) for r in results))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/bin/engram"))
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--memories", type=int, default=1000)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    server, port = start_server(args.binary, args.clients, args.fps, args.dataset, args.memories)
    try:
        cpu0, wall0 = cpu_seconds(server.pid), time.monotonic()
        results = asyncio.run(run(port, args.clients, args.seconds))
        cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - wall0)
    finally:
        server.terminate()
        code = server.wait(timeout=10)
    errors = [r["error"] for r in results if r["error"]]
    fps = sorted(r["fps"] for r in results if not r["error"])
    summary = {
        "clients": args.clients, "seconds": args.seconds, "target_fps": args.fps,
        "memories": args.memories, "errors": len(errors),
        "fps_min": fps[0] if fps else 0.0, "fps_median": statistics.median(fps) if fps else 0.0,
        "fps_mean": statistics.fmean(fps) if fps else 0.0, "fps_max": fps[-1] if fps else 0.0,
        "frames_total": sum(r["frames"] for r in results),
        "server_cpu_cores": cpu, "server_exit_code": code,
    }
    print(f"engram serve under load: {args.clients} event-stream clients on loopback for "
          f"{args.seconds:g} s ({args.memories} {args.dataset} memories, target {args.fps:g} fps)")
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"  frames per second per client: min {summary['fps_min']:.1f}, median "
          f"{summary['fps_median']:.1f}, mean {summary['fps_mean']:.1f}, max {summary['fps_max']:.1f}")
    print(f"  frames received: {summary['frames_total']} "
          f"({summary['frames_total'] / args.seconds:.0f} per second in all)")
    print(f"  server CPU: {cpu:.2f} cores; exit code after SIGTERM: {code}")
    if args.json:
        directory = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as f:
            json.dump(summary, f, indent=2)
        os.replace(f.name, args.json)
    sys.exit(1 if errors or code != 0 else 0)


if __name__ == "__main__":
    main()
