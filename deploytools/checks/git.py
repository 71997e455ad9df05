"""4xx: git (tag preflight)."""
