"""deploytools: deploy a Django project to Heroku with checks you can trust."""

__version__ = "0.1.0"
