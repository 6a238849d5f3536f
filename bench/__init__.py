"""Benchmarks: `make bench` (python -m bench). Each prints its figures and ratios to a baseline measured in
the same run, because machines here are shared and noisy."""
