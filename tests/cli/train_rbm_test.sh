#!/usr/bin/env bash
# engram train rbm / engram sample rbm: a tiny run on Fashion-MNIST (its files ship with the
# system), --resume, sampling from the saved model, and bad arguments (exit 2, one line naming the
# option). Usage: train_rbm_test.sh path/to/engram scratch-folder
set -euo pipefail
engram="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work"
export OPENBLAS_NUM_THREADS=1

fail() {
  echo "FAIL: $*"
  exit 1
}

# expect_usage_error PATTERN ARGS...: exit 2, one line on stderr matching PATTERN.
expect_usage_error() {
  local pattern="$1"
  shift
  local got=0
  "$engram" "$@" >"$work/stdout" 2>"$work/stderr" || got=$?
  [ "$got" -eq 2 ] || fail "engram $* exited $got, expected 2: $(cat "$work/stderr")"
  grep -Eq -- "$pattern" "$work/stderr" || fail "engram $*: stderr does not name '$pattern': $(cat "$work/stderr")"
  [ "$(wc -l <"$work/stderr")" -eq 1 ] || fail "engram $*: error is not one line: $(cat "$work/stderr")"
}

tiny=(--dataset fashion --hidden 16 --train-limit 300 --test-limit 100 --batch 50 --ais-runs 10
      --ais-betas 200 --sample-steps 5 --out "$work/run")
"$engram" train rbm --epochs 2 "${tiny[@]}" >"$work/train.log" 2>&1 || fail "train: $(cat "$work/train.log")"
grep -q "epoch 2/2: train_reconstruction" "$work/train.log" || fail "no epoch line: $(cat "$work/train.log")"
grep -Eq "average log-likelihood: test -[0-9.]+ nats" "$work/train.log" || fail "no log-likelihood line"
for f in metrics.csv checkpoint.safetensors rbm.safetensors samples.png filters.png ais.json; do
  [ -s "$work/run/$f" ] || fail "missing $f"
done
[ "$(wc -l <"$work/run/metrics.csv")" -eq 3 ] || fail "metrics.csv should have 2 epochs"
grep -q '"test_log_likelihood"' "$work/run/ais.json" || fail "ais.json without test_log_likelihood"

"$engram" train rbm --epochs 3 --resume "${tiny[@]}" >"$work/resume.log" 2>&1 || fail "resume: $(cat "$work/resume.log")"
grep -q "resumed from .* after epoch 2" "$work/resume.log" || fail "did not resume: $(cat "$work/resume.log")"
grep -q "epoch 3/3" "$work/resume.log" || fail "no epoch 3"
[ "$(wc -l <"$work/run/metrics.csv")" -eq 4 ] || fail "metrics.csv should have 3 epochs"
persistent=(--dataset fashion --hidden 16 --train-limit 300 --test-limit 100 --batch 50
            --ais-runs 10 --ais-betas 200 --sample-steps 5 --out "$work/run" --persistent)
got=0
"$engram" train rbm --epochs 4 --resume "${persistent[@]}" >"$work/mismatch.log" 2>&1 || got=$?
[ "$got" -eq 2 ] && grep -q "persistent" "$work/mismatch.log" || fail "resume with other settings: exit $got $(cat "$work/mismatch.log")"

"$engram" sample rbm --model "$work/run/rbm.safetensors" --count 12 --gibbs-steps 10 --out "$work/samples" >"$work/sample.log" 2>&1 || fail "sample: $(cat "$work/sample.log")"
[ -s "$work/samples/samples.png" ] || fail "no samples.png"
[ "$(wc -l <"$work/samples/samples.csv")" -eq 13 ] || fail "samples.csv should have 12 rows"

expect_usage_error "--hidden" train rbm --hidden 0 --out "$work/bad"
expect_usage_error "--cd-k" train rbm --cd-k 0 --out "$work/bad"
expect_usage_error "--lr" train rbm --lr -1 --out "$work/bad"
expect_usage_error "--momentum" train rbm --momentum 1.5 --out "$work/bad"
expect_usage_error "--dataset" train rbm --dataset cifar --out "$work/bad"
expect_usage_error "--ais-runs" train rbm --ais-runs 1 --out "$work/bad"
expect_usage_error "--resume" train rbm --dataset fashion --train-limit 10 --test-limit 10 --resume --out "$work/nothing-here"
expect_usage_error "--model" sample rbm --out "$work/bad"
expect_usage_error "--model" sample rbm --model "$work/missing.safetensors" --out "$work/bad"
expect_usage_error "--gibbs-steps" sample rbm --model "$work/run/rbm.safetensors" --gibbs-steps 0
echo "train_rbm: all checks passed"
