"""A test project for heroku_release: weareone plus an app whose migrations a test chooses."""
