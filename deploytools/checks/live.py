"""9xx: the live site (tag live)."""
