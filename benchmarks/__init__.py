"""Benchmarks: long runs outside the test suite (``make bench``); results in ``benchmarks/results``."""
