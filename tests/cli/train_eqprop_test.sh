#!/usr/bin/env bash
# engram train eqprop (SPEC M-31, M-43): a tiny run writes metrics.csv with one row per epoch and
# a test error below chance, --resume adds the next epoch, the backprop baseline runs, and bad
# arguments exit 2 with one line naming the option. Usage: train_eqprop_test.sh engram SCRATCH
set -euo pipefail
engram="$1"
out="$2"
rm -rf "$out"
mkdir -p "$out"
fail() { echo "FAIL: $*"; exit 1; }

# MNIST where the repository (or ENGRAM_DATA_DIR) has it, else Fashion-MNIST from Debian's package.
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -f "${ENGRAM_DATA_DIR:-$repo/data}/mnist/train-images-idx3-ubyte" ]; then
  dataset=mnist
elif [ -f "${ENGRAM_FASHION_DIR:-/usr/share/datasets/fashion-mnist}/train-images-idx3-ubyte.gz" ]; then
  dataset=fashion
else
  echo "SKIP: neither MNIST nor Fashion-MNIST is installed"
  exit 0
fi

tiny=(--dataset "$dataset" --train-limit 1000 --test-limit 200 --hidden 32 --lr 0.2,0.1)
"$engram" train eqprop "${tiny[@]}" --epochs 2 --out "$out/run" >"$out/log" 2>&1 ||
  fail "tiny run failed: $(cat "$out/log")"
for f in metrics.csv checkpoint.safetensors network.safetensors; do
  [ -s "$out/run/$f" ] || fail "no $f"
done
head -1 "$out/run/metrics.csv" | grep -q "epoch,train_error,train_cost,test_error,test_cost,seconds" ||
  fail "metrics.csv header: $(head -1 "$out/run/metrics.csv")"
[ "$(tail -n +2 "$out/run/metrics.csv" | wc -l)" -eq 2 ] || fail "metrics.csv has no 2 epoch rows"
# Ten classes: chance is an error of 0.9; a trained net is far below it.
err=$(tail -1 "$out/run/metrics.csv" | cut -d, -f4)
awk -v e="$err" 'BEGIN { exit !(e < 0.8) }' || fail "test error $err is not below 0.8"

"$engram" train eqprop "${tiny[@]}" --epochs 3 --resume --out "$out/run" >"$out/log" 2>&1 ||
  fail "--resume failed: $(cat "$out/log")"
grep -q "resumed from .* after epoch 2" "$out/log" || fail "no resume message: $(cat "$out/log")"
[ "$(tail -n +2 "$out/run/metrics.csv" | wc -l)" -eq 3 ] || fail "--resume did not add epoch 3"
tail -1 "$out/run/metrics.csv" | grep -q "^3," || fail "last row is not epoch 3"

# --resume with other settings names what disagrees.
if "$engram" train eqprop "${tiny[@]}" --cost cross_entropy --epochs 4 --resume --out "$out/run" \
  >"$out/log" 2>&1; then fail "--resume with another --cost succeeded"; fi
grep -q "cost" "$out/log" || fail "resume mismatch does not name the cost: $(cat "$out/log")"

"$engram" train eqprop "${tiny[@]}" --method backprop --epochs 1 --out "$out/bp" >"$out/log" 2>&1 ||
  fail "backprop run failed: $(cat "$out/log")"
[ "$(tail -n +2 "$out/bp/metrics.csv" | wc -l)" -eq 1 ] || fail "backprop metrics.csv"

# Bad arguments: exit 2, one line, naming the option.
bad() {
  local option="$1"
  shift
  set +e
  "$engram" train eqprop "$@" --out "$out/bad" >"$out/stdout" 2>"$out/stderr"
  local code=$?
  set -e
  [ "$code" -eq 2 ] || fail "engram train eqprop $* exited $code, expected 2"
  [ "$(wc -l <"$out/stderr")" -eq 1 ] || fail "engram train eqprop $*: not one line: $(cat "$out/stderr")"
  grep -q -- "$option" "$out/stderr" || fail "engram train eqprop $*: does not name $option: $(cat "$out/stderr")"
}
bad --beta --beta 0
bad --beta --beta nan
bad --dataset --dataset cifar
bad --cost --cost hinge
bad --method --method hebb
bad --hidden --hidden 0
bad --lr --lr -1
bad --lr --lr 0.1,0.2,0.3
bad --dt --dt 2
bad --free-steps --free-steps 0
bad --train-limit --train-limit 70000
echo "train eqprop: all checks passed"
