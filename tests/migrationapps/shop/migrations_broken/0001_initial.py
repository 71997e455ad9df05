from django.db import migrations


class Migration(migrations.Migration):
    # Depends on a migration that does not exist: the graph cannot be built (E302).
    dependencies = [("shop", "0000_missing")]
    operations = []
