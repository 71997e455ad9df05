from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "tests.migrationapps.shop"
    label = "shop"
    default_auto_field = "django.db.models.BigAutoField"
