"""Small Django apps whose migration packages stage the 3xx scenarios (see MIGRATION_MODULES)."""
