"""Performance benchmarks for OKpay (run with ``python -m benchmarks.<name>``)."""
