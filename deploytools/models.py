"""Models of deploytools: the release history written by heroku_release."""
