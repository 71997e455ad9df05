"""3xx: migrations (tags preflight, release)."""
