"""make bench: engram against its NumPy and PyTorch peers on the workloads of BENCHMARKS.md.

Writes every case once, runs each contender in its own process on the same files (engram-bench,
bench/peer_numpy.py, bench/peer_torch.py), checks that their outputs agree with engram's, and
prints per case each contender's median time, engram's speed-up over the fastest peer, its
GFLOP/s and its fraction of the sgemm throughput measured in the same run.

OpenBLAS: this machine's environment sets OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE, which
halve sgemm on its AVX-512 CPU. The bench unsets both for every contender alike (pass
--keep-openblas-env to keep them) and reports the kernel each contender's OpenBLAS chose.

  /usr/bin/python3 bench/run.py [--cases w1-S,w3-sync] [--json FILE] [--repeats 5]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import workloads  # noqa: E402

# Targets of issue 7: the speed-up over the fastest peer, and the fraction of sgemm.
TARGETS = {
    "w1-S": (5.0, None), "w2-S": (5.0, None),
    "w3-sync": (10.0, None), "w3-async": (10.0, None),
    "w1-M": (1.0, 0.8), "w1-L": (1.0, 0.8), "w2-L": (1.0, 0.8),
}
OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def environment(keep_openblas):
    env = dict(os.environ)
    removed = {}
    if not keep_openblas:
        removed = {k: env.pop(k) for k in OPENBLAS_VARIABLES if k in env}
    # PyTorch's OpenMP threads spin and steal the 2 cores from OpenBLAS's unless passive.
    env["OMP_WAIT_POLICY"] = "passive"
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "build", "python"), HERE])
    return env, removed


def run_contender(command, env):
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(command[:2])} failed (exit {done.returncode})")
    return json.loads(done.stdout)


def read_outputs(contender, folder, case):
    if contender == "engram":
        import engram

        tensors, _ = engram.read_safetensors(os.path.join(folder, case + ".safetensors"))
        return tensors
    with np.load(os.path.join(folder, case + ".npz")) as f:
        return {k: f[k] for k in f.files}


def fmt_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=",".join(workloads.CASES))
    parser.add_argument("--json", help="also write the table and raw timings to this file")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-sample", type=float, default=0.05)
    parser.add_argument("--peers", default="numpy,torch")
    parser.add_argument("--engram-bench", default=os.path.join(ROOT, "build", "bin", "engram-bench"))
    parser.add_argument("--keep-openblas-env", action="store_true")
    args = parser.parse_args()

    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in workloads.CASES]
    if unknown:
        sys.exit(f"bench: unknown case(s) {unknown}; known: {list(workloads.CASES)}")
    peers = [p for p in args.peers.split(",") if p]
    env, removed = environment(args.keep_openblas_env)
    sys.path.insert(0, env["PYTHONPATH"].split(os.pathsep)[0])
    import engram

    common = ["--min-sample", str(args.min_sample), "--repeats", str(args.repeats)]
    with tempfile.TemporaryDirectory(prefix="engram-bench-") as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        inputs = {}
        for case in cases:
            tensors, meta = workloads.make_case(case)
            inputs[case] = tensors
            engram.write_safetensors(os.path.join(data, case + ".safetensors"), tensors, meta)
            np.savez(os.path.join(data, case + ".npz"), **tensors,
                     **{"meta_" + k: np.array(v) for k, v in meta.items()})
        reports = {"engram": run_contender(
            [args.engram_bench, "--data", data, "--out", os.path.join(tmp, "engram"),
             "--cases", ",".join(cases)] + common, env)}
        for peer in peers:
            reports[peer] = run_contender(
                [sys.executable, os.path.join(HERE, f"peer_{peer}.py"), "--data", data,
                 "--out", os.path.join(tmp, peer), "--cases", ",".join(cases)] + common, env)
        rows, failures = [], []
        sgemm = reports["engram"]["ceilings"]["sgemm"]["gflops"]
        for case in cases:
            ref = read_outputs("engram", os.path.join(tmp, "engram"), case)
            row = {"case": case, "median_s": {}, "agreement": {},
                   "result": workloads.summary(case, inputs[case], ref)}
            for name, report in reports.items():
                row["median_s"][name] = report["cases"][case]["median_s"]
                if name != "engram":
                    out = read_outputs(name, os.path.join(tmp, name), case)
                    why = workloads.disagreement(case, inputs[case], ref, out)
                    row["agreement"][name] = why or "agrees"
                    if why:
                        failures.append(f"{case}: {name} disagrees with engram: {why}")
            fastest = min((row["median_s"][p], p) for p in peers) if peers else (None, None)
            row["fastest_peer"] = fastest[1]
            row["speedup"] = fastest[0] / row["median_s"]["engram"] if peers else None
            f = workloads.flops(case)
            row["gflops"] = f / row["median_s"]["engram"] / 1e9 if f else None
            row["sgemm_fraction"] = row["gflops"] / sgemm if f else None
            speedup_target, fraction_target = TARGETS[case]
            row["target"] = f"≥{speedup_target:g}×" + (
                f", ≥{fraction_target:.0%} sgemm" if fraction_target else "")
            row["met"] = bool(peers) and row["speedup"] >= speedup_target and (
                fraction_target is None or row["sgemm_fraction"] >= fraction_target)
            rows.append(row)

    blas = {name: r.get("blas") for name, r in reports.items()}
    print(f"OpenBLAS variables unset for every contender: {removed or 'none were set'}")
    for name, b in blas.items():
        core = b["corename"] if b else "no OpenBLAS loaded"
        threads = f", {b['threads']} threads" if b else ""
        bits = f"; bit kernel {b['bit_kernel']}" if b and "bit_kernel" in b else ""
        print(f"  {name}: OpenBLAS kernel {core}{threads}{bits}")
    ceil = reports["engram"]["ceilings"]
    print(f"ceilings: sgemm {ceil['sgemm']['n']}³ {ceil['sgemm']['gflops']:.0f} GFLOP/s; "
          f"copy {ceil['copy']['gbytes_per_s']:.0f} GB/s ({ceil['copy']['threads']} threads)\n")
    names = ["engram"] + peers
    header = (f"{'case':<9} " + " ".join(f"{n:>10}" for n in names) +
              f" {'speed-up':>9} {'GFLOP/s':>8} {'of sgemm':>8}  {'target':<22} result")
    print(header)
    print("-" * len(header))
    for r in rows:
        cells = " ".join(f"{fmt_time(r['median_s'][n]):>10}" for n in names)
        speed = f"{r['speedup']:.2f}×" if r["speedup"] else "-"
        gf = f"{r['gflops']:.0f}" if r["gflops"] else "-"
        frac = f"{r['sgemm_fraction']:.0%}" if r["sgemm_fraction"] else "-"
        met = "met" if r["met"] else "MISSED"
        result = ", ".join(f"{k} {v:.6g}" for k, v in r["result"].items())
        print(f"{r['case']:<9} {cells} {speed:>9} {gf:>8} {frac:>8}  {r['target'] + ' ' + met:<22} "
              f"{result}")
    if args.json:
        table = {"rows": rows, "blas": blas, "ceilings": ceil, "unset": removed,
                 "raw": reports}
        tmp_path = args.json + ".tmp"
        with open(tmp_path, "w") as f:
            json.dump(table, f, indent=1)
        os.replace(tmp_path, args.json)
        print(f"\nwrote {args.json}")
    for failure in failures:
        print("DISAGREEMENT: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
