"""Paper Atlas benchmark: synthetic corpora (bench.synth) and measurements (bench.run).

`make bench` (or `python -m bench`) runs it; see bench/README.md.
"""
