"""5xx: Django and Python support dates (tags preflight, heroku)."""
