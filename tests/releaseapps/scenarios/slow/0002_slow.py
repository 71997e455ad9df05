import os

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("item", "price", models.IntegerField(null=True)),
        migrations.RunSQL(
            f"SELECT pg_sleep({float(os.environ.get('SHOP_SLEEP', '0'))})", migrations.RunSQL.noop
        ),
    ]
