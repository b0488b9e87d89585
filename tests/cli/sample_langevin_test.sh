#!/usr/bin/env bash
# engram train ebm and engram sample langevin: tiny runs write their files, resume works, samples of
# a Gaussian energy graph have the analytic mean, and bad arguments exit 2 naming the option.
# Usage: sample_langevin_test.sh path/to/engram scratch-folder
set -euo pipefail
engram="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE PATTERN ARGS...: the command exits with CODE and its output matches PATTERN.
expect_exit() {
  local code="$1" pattern="$2"
  shift 2
  local got=0
  "$engram" "$@" >"$work/stdout" 2>"$work/stderr" || got=$?
  [ "$got" -eq "$code" ] || fail "engram $* exited $got, expected $code: $(cat "$work/stderr")"
  grep -Eq -- "$pattern" "$work/stdout" "$work/stderr" ||
    fail "engram $*: output does not match '$pattern': $(cat "$work/stdout" "$work/stderr")"
  if [ "$code" -eq 2 ]; then
    [ "$(wc -l <"$work/stderr")" -eq 1 ] || fail "engram $*: error is not one line: $(cat "$work/stderr")"
  fi
  return 0
}

# --- engram train ebm: a tiny MNIST run, then one more epoch with --resume.
tiny=(--train-limit 64 --batch 32 --hidden 16 --langevin-steps 3 --buffer 50 --samples 4 --sample-steps 5)
if [ -f "${ENGRAM_DATA_DIR:-$(dirname "$0")/../../data}/mnist/train-images-idx3-ubyte" ]; then
  expect_exit 0 "epoch 2/2: data_energy .* negative_energy .* energy_gap .* loss" \
    train ebm --epochs 2 --out "$work/ebm" "${tiny[@]}"
  for f in metrics.csv checkpoint.safetensors model.safetensors samples.png buffer.png; do
    [ -s "$work/ebm/$f" ] || fail "train ebm did not write $f"
  done
  [ "$(wc -l <"$work/ebm/metrics.csv")" -eq 3 ] || fail "metrics.csv should hold 2 epochs"
  head -1 "$work/ebm/metrics.csv" | grep -q "epoch,data_energy,negative_energy,energy_gap,loss,seconds" ||
    fail "metrics.csv columns: $(head -1 "$work/ebm/metrics.csv")"
  expect_exit 0 "resumed .* after epoch 2" train ebm --epochs 3 --resume --out "$work/ebm" "${tiny[@]}"
  [ "$(wc -l <"$work/ebm/metrics.csv")" -eq 4 ] || fail "metrics.csv should hold 3 epochs after --resume"
  expect_exit 2 "--resume.*hidden" train ebm --epochs 4 --resume --out "$work/ebm" \
    --train-limit 64 --hidden 8 --langevin-steps 3 --buffer 50
  # Sampling the trained model (and its checkpoint): 784 units, a 28 x 28 grid.
  expect_exit 0 "4 samples of a deep EBM \(784 inputs\)" sample langevin --model "$work/ebm/model.safetensors" \
    --count 4 --steps 5 --step-size 1 --temperature 0.0001 --out "$work/s1"
  [ -s "$work/s1/samples.png" ] && [ -s "$work/s1/samples.csv" ] || fail "sample langevin files (EBM)"
  [ "$(wc -l <"$work/s1/samples.csv")" -eq 5 ] || fail "samples.csv should hold 4 samples"
  awk -F, 'NR > 1 { for (i = 1; i <= NF; i++) if ($i < 0 || $i > 1) bad = 1 } END { exit bad }' \
    "$work/s1/samples.csv" || fail "EBM samples should stay in the model's box [0, 1]"
  expect_exit 0 "T 2 -> 0.1" sample langevin --model "$work/ebm/checkpoint.safetensors" --count 2 \
    --steps 10 --anneal 2:0.1 --stages 5 --out "$work/s2"
  expect_exit 2 "--layer" sample langevin --model "$work/ebm/model.safetensors" --layer x --out "$work/s3"
  # Without --step-size and --temperature a deep EBM is sampled as in training: eps 10 and
  # T = sigma^2/(2 eps) = 0.005^2/20 = 1.25e-06.
  expect_exit 0 "steps of eps 10 at T 1.25e-06" sample langevin --model "$work/ebm/model.safetensors" \
    --count 2 --steps 3 --out "$work/s4"
else
  echo "MNIST not found: skipping engram train ebm"
fi

# --- engram sample langevin on an energy graph: identity layers a (2) and b (1), E = ½|a|² + ½b²
# − aᵀWb − hᵀa. With b clamped at 0, a ~ N(h, T/(1 − ε/2) I) under unadjusted Langevin; 2000
# independent chains after 300 steps (ρ = 0.9 per step) give the mean to a standard error of
# √(1.05/2000) = 0.023: 0.12 is five of them.
if PYTHONPATH="$(dirname "$engram")/../python" /usr/bin/python3 -c "
import numpy as np, engram
g = engram.EnergyGraph().add_layer('a', 2, engram.Identity()).add_layer('b', 1, engram.Identity())
g.add_synapse('W', ['a', 'b'], engram.DenseSynapse(np.array([[0.5], [-0.3]])))
g.add_synapse('h', ['a'], engram.BiasSynapse(np.array([0.2, -0.4])))
engram.save_graph('$work/gauss.safetensors', g)" 2>/dev/null; then
  expect_exit 0 "energy graph, layer 'a' \(2 units\)" sample langevin --model "$work/gauss.safetensors" \
    --clamp b --count 2000 --steps 300 --step-size 0.1 --out "$work/g1"
  [ -s "$work/g1/samples.png" ] || fail "sample langevin did not write samples.png (graph)"
  awk -F, 'NR > 1 { n++; s1 += $1; s2 += $2 } END {
    m1 = s1 / n; m2 = s2 / n
    if (n != 2000 || (m1 - 0.2)^2 > 0.12^2 || (m2 + 0.4)^2 > 0.12^2) { print n, m1, m2; exit 1 } }' \
    "$work/g1/samples.csv" || fail "graph samples: mean of a should be h = (0.2, -0.4)"
  expect_exit 2 "--clamp 'zz'" sample langevin --model "$work/gauss.safetensors" --clamp zz --out "$work/g2"
  expect_exit 2 "--layer 'b'" sample langevin --model "$work/gauss.safetensors" --clamp b --layer b --out "$work/g2"
else
  echo "Python module not built: skipping the graph checks"
fi

# --- bad arguments: exit 2, one line, naming the option.
expect_exit 2 "--model" sample langevin --out "$work/x"
expect_exit 2 "--model: no file" sample langevin --model "$work/missing.safetensors" --out "$work/x"
expect_exit 2 "--step-size" sample langevin --model "$work/missing.safetensors" --step-size 0
expect_exit 2 "--anneal" sample langevin --model "$work/missing.safetensors" --anneal 2
expect_exit 2 "--temperature.*--anneal|--anneal.*--temperature" sample langevin --model m --temperature 1 --anneal 2:1
expect_exit 2 "--box" sample langevin --model m --box 1:x
expect_exit 2 "--hidden" train ebm --hidden 8,x --out "$work/x"
expect_exit 2 "--step-size" train ebm --step-size -1 --out "$work/x"
expect_exit 2 "--dataset" train ebm --dataset cifar --out "$work/x"
expect_exit 2 "--batch" train ebm --batch 0 --out "$work/x"

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "sample_langevin: all checks passed"
