"""7xx: the Heroku platform — Heroku's Production Check (tag heroku)."""
