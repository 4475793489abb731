"""neocloud.clusterprotocol (under construction)."""
