"""The commands: preflight, heroku_release, production_check, and migrate with the lock."""
