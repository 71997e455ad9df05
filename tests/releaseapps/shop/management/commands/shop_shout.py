"""A post-migrate command that prints the release's secrets (POST_MIGRATE_COMMANDS)."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def handle(self, *args: object, **options: object) -> None:
        key = os.environ["DJANGO_SECRET_KEY"]
        print(f"post-migrate print: key={key}")
        os.write(1, f"post-migrate fd 1: key={key}\n".encode())
        self.stdout.write(f"post-migrate self.stdout: key={key}")
        print(f"post-migrate stderr: key={key}", file=sys.stderr)
