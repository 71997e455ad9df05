from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "recipes_site.users"
    verbose_name = "Users"
