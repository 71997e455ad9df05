# My overrides, git-ignored.
ALLOWED_HOSTS = ["*"]
