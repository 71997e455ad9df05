# My machine. Not committed (.gitignore).
DEBUG = True
SECRET_KEY = "local-settings-literal-key-Hn4Jm6Kq8Lr0Ws2Xe4Yt6Zu8Av0Bw"
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "library",
        "USER": "library",
        "PASSWORD": "local-pg-password-Cx5Dv7Bf9Gn1",
        "HOST": "127.0.0.1",
    }
}
