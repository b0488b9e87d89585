#!/usr/bin/env bash
# engram train dam (SPEC M-35): a tiny run writes one metrics row per epoch with train_error,
# test_error and loss, the memories picture and the model; --resume adds an epoch; bad arguments
# exit 2 naming the option. Usage: train_dam_test.sh path/to/engram scratch-dir
set -euo pipefail
engram="$1"
work="$2/train_dam"
rm -rf "$work"
mkdir -p "$work"
export ENGRAM_DATA_DIR="${ENGRAM_DATA_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/data}"

fail() {
  echo "FAIL: $*"
  exit 1
}

out="$work/run"
small=(--dataset mnist --memories 20 --steps 2 --batch 25 --train-limit 100 --test-limit 50
  --lr 0.01 --out "$out")
"$engram" train dam --epochs 1 "${small[@]}" >"$work/log1" 2>&1 || fail "first run: $(cat "$work/log1")"
head -1 "$out/metrics.csv" | grep -q "^epoch,train_error,test_error,loss,test_loss,seconds$" ||
  fail "metrics header: $(head -1 "$out/metrics.csv")"
[ "$(wc -l <"$out/metrics.csv")" -eq 2 ] || fail "expected one metrics row: $(cat "$out/metrics.csv")"
for f in checkpoint.safetensors memories.png model.safetensors; do
  [ -s "$out/$f" ] || fail "missing $out/$f"
done
# Errors are fractions in [0, 1] and the loss is a positive cross-entropy.
awk -F, 'NR == 2 { if ($2 < 0 || $2 > 1 || $3 < 0 || $3 > 1 || $4 <= 0) exit 1 }' "$out/metrics.csv" ||
  fail "metrics out of range: $(cat "$out/metrics.csv")"

"$engram" train dam --epochs 2 --resume "${small[@]}" >"$work/log2" 2>&1 || fail "resume: $(cat "$work/log2")"
grep -q "resumed from .* after epoch 1" "$work/log2" || fail "resume message: $(cat "$work/log2")"
[ "$(wc -l <"$out/metrics.csv")" -eq 3 ] || fail "resume did not add one row: $(cat "$out/metrics.csv")"
awk -F, 'NR == 3 && $1 != 2 { exit 1 }' "$out/metrics.csv" || fail "second row is not epoch 2"

# --resume with other settings is refused, naming the setting.
set +e
"$engram" train dam --epochs 3 --resume "${small[@]}" --memories 30 >"$work/log3" 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || fail "resume with other memories exited $code: $(cat "$work/log3")"
grep -q "memories" "$work/log3" || fail "resume mismatch does not name memories: $(cat "$work/log3")"

# Bad arguments: exit 2 with one line naming the option.
expect_bad() {
  local pattern="$1"
  shift
  set +e
  "$engram" train dam --out "$work/bad" "$@" >"$work/out" 2>"$work/err"
  local code=$?
  set -e
  [ "$code" -eq 2 ] || fail "train dam $* exited $code, expected 2: $(cat "$work/err")"
  grep -q -- "$pattern" "$work/err" || fail "train dam $*: error does not name $pattern: $(cat "$work/err")"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "train dam $*: error is not one line: $(cat "$work/err")"
}
expect_bad "--memories" --memories 0
expect_bad "--power" --power 1
expect_bad "--steps" --steps 0
expect_bad "--dt" --dt -1
expect_bad "--lr" --lr 0
expect_bad "--batch" --batch many
expect_bad "--dataset" --dataset cifar
expect_bad "--train-limit" --train-limit 0
expect_bad "--memory-lagrangian" --memory-lagrangian cubic
echo "train dam: ok"
