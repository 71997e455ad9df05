"""2xx: project files (tag preflight)."""
