# engram: the two commands (`make demo`, `make test`) and the benchmarks.
# Each runs scripts/setup first, which installs what is missing and builds.

DEMO_OUT ?= out/demo

.PHONY: all setup demo test bench clean

all: setup

setup:
	@scripts/setup

demo: setup
	@build/examples/seed001 $(DEMO_OUT)
	@echo
	@build/examples/conditional_generator $(DEMO_OUT)

test: setup
	@ctest --test-dir build --output-on-failure -j2 >build/ctest.log 2>&1 || \
	  { cat build/ctest.log; exit 1; }
	@grep -E "tests passed|Total Test time" build/ctest.log

bench: setup
	@echo "make bench: no benchmarks yet; they arrive with the fast kernels (see BENCHMARKS.md)."

clean:
	rm -rf build build-sanitize out
