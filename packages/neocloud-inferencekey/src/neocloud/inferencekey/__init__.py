"""neocloud.inferencekey (under construction)."""
