"""Benchmarks that print the figures quoted in the README (`make bench`). Not tests."""
