"""6xx: release phase (tag release)."""
