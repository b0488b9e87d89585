# engram: the two commands (`make demo`, `make test`) and the benchmarks.
# Each runs scripts/setup first, which installs what is missing and builds.

DEMO_OUT ?= out/demo

.PHONY: all setup demo serve test bench bench-serve clean

all: setup

setup:
	@scripts/setup

# The headline: MNIST digits with their lower half masked, completed by every model family.
demo: setup
	@echo "== MNIST pattern completion: 100 digits, lower half masked, every model family =="
	@build/bin/engram compare --dataset mnist --memories 100 --corrupt half --seed 1 \
	  --models classical,classical/pseudo_inverse,continuous,modern,dam,linear \
	  --out $(DEMO_OUT)/completion
	@echo
	@echo "== Capacity of the classical network (theory: critical load 0.138) =="
	@build/bin/engram capacity --model classical --n 200 --trials 10 --out $(DEMO_OUT)/capacity \
	  | tail -n 2
	@echo
	@echo "== Seed 001 reproduced =="
	@build/examples/seed001 $(DEMO_OUT)
	@echo
	@build/examples/conditional_generator $(DEMO_OUT)
	@echo
	@echo "== The same library from Python (examples/python/mnist_completion.py) =="
	@PYTHONPATH=build/python MPLBACKEND=Agg /usr/bin/python3 examples/python/mnist_completion.py \
	  $(DEMO_OUT)/python
	@echo
	@echo "pictures: $(DEMO_OUT)/completion/comparison.png (rows: cue, each model, truth),"
	@echo "          $(DEMO_OUT)/capacity/capacity.png, $(DEMO_OUT)/python/mnist_completion.png;"
	@echo "          data: $(DEMO_OUT)/*/*.json, *.csv"

# The live demo in a browser: seed 001's conditional memory (docs/demo.md). Prints the URL.
# SERVE_ARGS passes options, e.g. make serve SERVE_ARGS="--dataset fashion --port 9000".
SERVE_ARGS ?= --port 8765
serve: setup
	@build/bin/engram serve $(SERVE_ARGS)

test: setup
	@ctest --test-dir build --output-on-failure -j2 >build/ctest.log 2>&1 || \
	  { cat build/ctest.log; exit 1; }
	@grep -E "tests passed|Total Test time" build/ctest.log

# The workloads of BENCHMARKS.md, engram against NumPy and PyTorch in one run (bench/run.py).
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--cases w1-S,w3-sync --json out/bench.json".
bench: setup
	@/usr/bin/python3 bench/run.py $(BENCH_ARGS)

# 100 event-stream clients against `engram serve` for 30 s: errors and frames per second.
bench-serve: setup
	@/usr/bin/python3 bench/serve_load.py $(BENCH_ARGS)

clean:
	rm -rf build build-sanitize out
