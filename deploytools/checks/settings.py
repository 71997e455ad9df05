"""1xx: production settings (tags preflight, release, settings)."""
