"""neocloud command-line interface."""
