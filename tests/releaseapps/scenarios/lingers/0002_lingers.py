"""A data migration that leaves a process behind, holding the release's stdout and stderr."""

import os
import subprocess
import sys

from django.db import migrations


def start_daemon(apps, schema_editor):
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('daemon up', flush=True); time.sleep(60)"]
    )
    with open(os.environ["SHOP_PID_FILE"], "w") as handle:
        handle.write(str(child.pid))


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(start_daemon, migrations.RunPython.noop)]
