import os

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_item_price")]
    operations = [
        migrations.AddField("item", "stock", models.IntegerField(null=True)),
        # Long enough for concurrent releases to overlap (SHOP_SLEEP seconds).
        migrations.RunSQL(
            f"SELECT pg_sleep({float(os.environ.get('SHOP_SLEEP', '0'))})", migrations.RunSQL.noop
        ),
    ]
