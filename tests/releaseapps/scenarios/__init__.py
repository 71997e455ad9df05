"""Migration packages for the `shop` app, one per release scenario (MIGRATION_MODULES)."""
