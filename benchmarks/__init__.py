"""Side-by-side benchmarks: survae vs peers vs the raw-network limit (python -m benchmarks)."""
