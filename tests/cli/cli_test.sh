#!/usr/bin/env bash
# The engram command line: help on every subcommand, exit code 2 and a one-line message for bad
# arguments, and the files each command promises. Usage: cli_test.sh path/to/engram
set -uo pipefail
engram="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"  # commands run without --out write their default folders here
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE PATTERN ARGS...: the command exits with CODE and its output matches PATTERN.
expect_exit() {
  local code="$1" pattern="$2"
  shift 2
  "$engram" "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  [ "$got" -eq "$code" ] || fail "engram $* exited $got, expected $code: $(cat "$work/stderr")"
  grep -Eq -- "$pattern" "$work/stdout" "$work/stderr" ||
    fail "engram $*: output does not match '$pattern': $(cat "$work/stdout" "$work/stderr")"
  if [ "$code" -eq 2 ]; then
    [ "$(wc -l <"$work/stderr")" -eq 1 ] || fail "engram $*: error is not one line: $(cat "$work/stderr")"
  fi
}

expect_exit 0 "recall" --help
expect_exit 0 "--memories" recall --help
expect_exit 0 "--corrupt" recall --help
expect_exit 0 "critical load|--trials" capacity --help
expect_exit 0 "engram 0.1.0" --version
expect_exit 2 "subcommand" 
expect_exit 2 "bogus" bogus
expect_exit 2 "--model" recall --dataset mnist
expect_exit 2 "bogus" recall --model bogus
expect_exit 2 "memories" recall --model modern --memories 0
expect_exit 2 "memories" recall --model modern --memories many
expect_exit 2 "flip" recall --model modern --corrupt flip:2
expect_exit 2 "smudge" recall --model modern --corrupt smudge
expect_exit 2 "dataset" recall --model modern --dataset cifar
expect_exit 2 "beta" recall --model modern --beta -1
expect_exit 2 "unknown|extra|--frobnicate" recall --model modern --frobnicate
expect_exit 2 "--model" capacity --model linear
expect_exit 2 "loads" capacity --model classical --loads 0.3:0.1:0.01
expect_exit 2 "loads" capacity --model classical --loads 0.1,x
expect_exit 2 "--n" capacity --model classical --n 2
expect_exit 2 "--trials" capacity --model classical --trials 0
expect_exit 2 "--interaction" recall --model dam --interaction "poly:3"
expect_exit 2 "has no beta" recall --model dam --memories 5 --interaction "polynomial(n=3)" --beta 2
expect_exit 2 "empty entry" compare --models modern,
expect_exit 2 "loads" capacity --model classical --loads 0.1,

# capacity: the files and the critical load of the classical model (theory: 0.138).
expect_exit 0 "critical load" capacity --model classical --n 200 --trials 10 --out "$work/cap"
for f in capacity.csv capacity.json; do [ -s "$work/cap/$f" ] || fail "capacity did not write $f"; done
/usr/bin/python3 - "$work/cap/capacity.json" <<'PY' || fail "capacity.json: critical_load"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["critical_load"]
assert c is not None and 0.12 <= c <= 0.16, f"critical_load {c} outside [0.12, 0.16]"
PY

# recall: the files and the fields of results.json.
expect_exit 0 "exact recall" recall --model modern --dataset mnist --memories 50 --corrupt half \
  --seed 1 --out "$work/rec"
for f in results.json grid.png energy.csv; do [ -s "$work/rec/$f" ] || fail "recall did not write $f"; done
/usr/bin/python3 - "$work/rec/results.json" <<'PY' || fail "results.json fields"
import json, sys
r = json.load(open(sys.argv[1]))
for key in ("exact_recall", "mean_pixel_error", "mean_steps", "seconds"):
    assert key in r, f"missing {key}"
assert 0.0 <= r["exact_recall"] <= 1.0 and r["mean_pixel_error"] >= 0.0
PY
head -c 8 "$work/rec/grid.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || fail "grid.png is not a PNG"

# Every family runs from the command line and can save its model; inspect reads it back.
for model in classical continuous modern dam linear; do
  expect_exit 0 "exact recall" recall --model "$model" --memories 20 --corrupt flip:0.1 \
    --out "$work/$model" --save-model "$work/$model.safetensors"
  expect_exit 0 "kind: " inspect "$work/$model.safetensors"
done
expect_exit 0 "kind: modern_hopfield" inspect "$work/modern.safetensors"
expect_exit 0 "xi +F32 \[20, 784\]" inspect "$work/modern.safetensors"
expect_exit 0 "comparison.png" compare --models modern,classical/pseudo_inverse --memories 20 \
  --out "$work/cmp"
[ -s "$work/cmp/comparison.png" ] || fail "compare did not write comparison.png"
expect_exit 2 "learning rule" compare --models modern/storkey
# Noise on a ±1 model; a DAM whose energy would overflow writes no energy files and says why.
expect_exit 0 "exact recall" recall --model classical --memories 10 --corrupt noise:0.5 --out "$work/noise"
expect_exit 0 "records no energy" recall --model dam --memories 10 --interaction "exponential(beta=1)" \
  --out "$work/exp"
[ ! -e "$work/exp/energy.csv" ] || fail "an empty energy.csv was written"
# Loads in any order give the critical load of the sorted grid.
expect_exit 0 "critical load: 0\.1" capacity --model classical --n 100 --trials 3 \
  --loads 0.3,0.05,0.2,0.1 --out "$work/unsorted"
expect_exit 2 "File does not exist" inspect "$work/none.safetensors"
head -c 100 "$work/modern.safetensors" >"$work/cut.safetensors"
expect_exit 1 "cut.safetensors" inspect "$work/cut.safetensors"

# An output folder that cannot be created is a failure (exit 1) naming the path.
touch "$work/file"
expect_exit 1 "$work/file" recall --model modern --memories 5 --out "$work/file/sub"

# simulate hh: a trace and its files, an f-I curve with the rheobase, and bad arguments.
expect_exit 0 "hh" simulate --help
expect_exit 0 "--current" simulate hh --help
expect_exit 0 "firing rate 68\.[0-9]+ Hz" simulate hh --current 10 --ms 100 --out "$work/hh"
for f in trace.csv spikes.csv summary.json; do [ -s "$work/hh/$f" ] || fail "simulate did not write $f"; done
if command -v gnuplot >/dev/null; then
  for f in voltage.png voltage.gp; do [ -s "$work/hh/$f" ] || fail "simulate did not write $f"; done
fi
/usr/bin/python3 - "$work/hh/summary.json" "$work/hh/trace.csv" <<'PY' || fail "simulate hh: summary.json"
import csv, json, sys
r = json.load(open(sys.argv[1]))
assert -65.5 < r["resting_potential_mV"] < -64.5, r["resting_potential_mV"]
assert r["spikes"] == len(r["spike_times_ms"]) >= 5, r["spikes"]
assert 60 <= r["firing_rate_hz"] <= 90, r["firing_rate_hz"]
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0] == ["t_ms", "V_mV", "m", "h", "n"] and float(rows[-1][0]) == 100.0, rows[0]
PY
expect_exit 0 "spikes: 0," simulate hh --current 2 --ms 50 --onset 5 --duration 20 --out "$work/hh2"
expect_exit 0 "rheobase: 6\.[0-9]+ uA" simulate hh --fi 0:12:4 --ms 200 --out "$work/fi"
[ -s "$work/fi/fi.csv" ] || fail "simulate --fi did not write fi.csv"
expect_exit 2 "--current.*not a finite number" simulate hh --current nan
expect_exit 2 "--ms.*outside" simulate hh --current 3 --ms -5
expect_exit 2 "--duration" simulate hh --current 3 --duration -1
expect_exit 2 "either --current" simulate hh
expect_exit 2 "either --current" simulate hh --current 3 --fi 0:2:1
expect_exit 2 "--fi.*first <= last" simulate hh --fi 5:1:1
expect_exit 2 "subcommand" simulate

# engram analyze: the issue's acceptance run (seed 002 eq. 9) and bad arguments.
eq9="x' = -0.4*x + 0.02*x*y; y' = 0.8*y - 0.01*y^2*x - 0.1*x*y"
expect_exit 0 "stable_spiral" analyze --system "$eq9" --bounds -1:10,-1:30 --out "$work/an"
if command -v gnuplot >/dev/null; then
  [ -s "$work/an/phase_portrait.png" ] || fail "analyze did not draw phase_portrait.png"
fi
[ -s "$work/an/basins.png" ] || fail "analyze did not draw basins.png"
/usr/bin/python3 - "$work/an/report.json" <<'PY' || fail "analyze: report.json"
import json, sys
r = json.load(open(sys.argv[1]))
points = sorted(r["fixed_points"], key=lambda p: p["x"][0])
# By hand: x(-0.4 + 0.02y) = 0 and y(0.8 - 0.01xy - 0.1x) = 0 give (0, 0) and (8/3, 20).
assert len(points) == 2, points
(a, b) = points
assert abs(a["x"][0]) < 1e-9 and abs(a["x"][1]) < 1e-9 and a["classification"] == "saddle"
eig = sorted(e[0] for e in a["eigenvalues"])  # J(0, 0) = diag(-0.4, 0.8)
assert abs(eig[0] + 0.4) < 1e-9 and abs(eig[1] - 0.8) < 1e-9, eig
assert abs(b["x"][0] - 8 / 3) < 1e-9 and abs(b["x"][1] - 20) < 1e-9 and b["classification"] == "stable_spiral"
# J = [[0, 4/75], [-6, -8/15]]: lambda = -4/15 +- i 2 sqrt(14)/15.
for re, im in b["eigenvalues"]:
    assert abs(re + 4 / 15) < 1e-7 and abs(abs(im) - 2 * 14 ** 0.5 / 15) < 1e-7, (re, im)
assert r["basins"]["samples"] == 200 and 0 < r["basins"]["attractors"][0]["fraction"] < 1
PY
# A model file: two tanh units coupled by W = [[0, 2], [2, 0]] (an energy graph saved from Python).
if PYTHONPATH="$(dirname "$engram")/../python" /usr/bin/python3 -c "
import numpy as np, engram
g = engram.EnergyGraph().add_layer('x', 2, engram.Tanh(beta=1.0))
g.add_synapse('W', ['x'], engram.RecurrentSynapse(np.array([[0.0, 2.0], [2.0, 0.0]])))
engram.save_graph('$work/two_state.safetensors', g)" 2>/dev/null; then
  expect_exit 0 "barrier 0 -> 2" analyze --model "$work/two_state.safetensors" --bounds -3:3 --samples 40 --resolution 30 --out "$work/an4"
  [ -s "$work/an4/barrier_0_2.csv" ] || fail "analyze did not write the barrier profile"
  /usr/bin/python3 - "$work/an4/report.json" <<'PY' || fail "analyze --model: the barrier"
import json, math, sys
r = json.load(open(sys.argv[1]))
# Minima at x = (a, a) with a = 2 tanh(a); E = sum_i 1/2[(1+v)ln(1+v) + (1-v)ln(1-v)] - v^T W v / 2
# with v = tanh(a): E_min = (1+v)ln(1+v) + (1-v)ln(1-v) - 2v^2. The saddle (0, 0) has E = 0.
a = 2.0
for _ in range(200):
    a = 2 * math.tanh(a)
v = math.tanh(a)
e_min = (1 + v) * math.log(1 + v) + (1 - v) * math.log(1 - v) - 2 * v * v
(b,) = r["barriers"]
assert abs(b["barrier"] + e_min) < 1e-6 and b["saddle_confirmed_first_order"], (b, -e_min)
PY
fi
expect_exit 0 "fixed points: 1" analyze --system "x' = -x; y' = -2*y" --bounds -1:1 --samples 0 --resolution 0 --out "$work/an2"
expect_exit 2 "--bounds is required" analyze --system "x' = -x" --out "$work/an3"
expect_exit 2 "exactly one of --system and --model" analyze --bounds -1:1 --out "$work/an3"
expect_exit 2 "unknown.*z" analyze --system "x' = -z" --bounds -1:1 --out "$work/an3"
expect_exit 2 "--bounds.*lo < hi" analyze --system "x' = -x" --bounds 2:1 --out "$work/an3"
expect_exit 2 "one lo:hi for all 2" analyze --system "$eq9" --bounds -1:1,0:1,0:1 --out "$work/an3"
expect_exit 2 "--starts" analyze --system "x' = -x" --bounds -1:1 --starts 0 --out "$work/an3"

if [ "$failures" -gt 0 ]; then
  echo "$failures CLI check(s) failed"
  exit 1
fi
echo "all CLI checks passed"
