"""Benchmarks (not tests): ``python -m bench.fanout`` measures the fan-out hot path."""
