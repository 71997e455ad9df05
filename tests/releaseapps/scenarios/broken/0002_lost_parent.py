from django.db import migrations


class Migration(migrations.Migration):
    # A parent that does not exist: the migration graph cannot be built.
    dependencies = [("shop", "0001_initial"), ("shop", "0009_nowhere")]
    operations = []
