"""binlint's benchmark and profiling scripts (`python bench/run.py`)."""
