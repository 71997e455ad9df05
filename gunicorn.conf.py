"""gunicorn settings for Heroku dynos (read automatically from the working directory)."""

import os

# Heroku tells each web dyno which port to listen on; [::] accepts IPv4 and IPv6.
bind = ["[::]:" + os.environ.get("PORT", "8000")]

# Heroku sets WEB_CONCURRENCY from the dyno size; 2 suits a Standard-1X.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Threads let a worker keep serving while a request waits on the database or an API,
# at a fraction of a process's memory. Each thread may hold a database connection.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "5"))

# Heroku's router gives up after 30 s (H12); end a stuck request before that so the
# worker is recycled and the traceback reaches the logs.
timeout = 20
# Dynos get 30 s after SIGTERM before SIGKILL.
graceful_timeout = 20
# Heroku's router keeps connections to the dyno open between requests.
keepalive = 5

# The router is the only client a dyno has, and it sets X-Forwarded-Proto/For.
forwarded_allow_ips = "*"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Logs go to stdout/stderr, which Heroku's logplex collects.
accesslog = "-"
errorlog = "-"
# Heroku's router logs already have the method, path, status and timing.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

# Bounded worker lifetime caps the damage of a slow memory leak (R14 errors).
max_requests = 1200
max_requests_jitter = 100
