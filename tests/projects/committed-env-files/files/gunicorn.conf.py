# Gunicorn configuration file, modelled on heroku/python-getting-started.
# https://docs.gunicorn.org/en/stable/configure.html

import os

# On Heroku, FORWARDED_ALLOW_IPS is set to '*' by the Python buildpack.
# Locally we use the gunicorn default.
bind = ["[::]:{}".format(os.environ.get("PORT", "5006"))]

workers = int(os.environ.get("WEB_CONCURRENCY", 2))
threads = 5
timeout = 20
accesslog = "-"
