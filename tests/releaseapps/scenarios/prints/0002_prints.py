"""A data migration that prints the release's secrets every way a process can write to stdout."""

import os
import subprocess
import sys

from django.db import migrations


def shout(apps, schema_editor):
    key = os.environ["DJANGO_SECRET_KEY"]
    url = os.environ["DATABASE_URL"]
    print(f"python print: key={key} url={url}")  # sys.stdout, buffered
    sys.stdout.flush()
    os.write(1, f"fd 1 write: key={key}\n".encode())  # what a C extension does
    subprocess.run([sys.executable, "-c", f"print('child process: key={key}')"], check=True)
    print(f"stderr print: key={key}", file=sys.stderr)
    print(f"no newline at the end: key={key}", end="")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(shout, migrations.RunPython.noop)]
