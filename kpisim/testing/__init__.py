"""Synthetic tables and policies for tests and benchmarks (not used by the pipeline itself)."""
