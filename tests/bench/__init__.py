"""The performance benchmark (run by scripts/bench)."""
