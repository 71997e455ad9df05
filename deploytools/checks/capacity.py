"""8xx: capacity — how big must the apps be (tag heroku)."""
