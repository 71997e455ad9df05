import dj_database_url

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",  # noqa: F821 - from common.py
        conn_max_age=600,
        conn_health_checks=True,
    )
}
