"""neocloud.runcrate (under construction)."""
