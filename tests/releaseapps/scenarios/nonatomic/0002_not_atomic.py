from django.db import migrations, models


class Migration(migrations.Migration):
    # Opted out of the transaction: what ran before the failure stays.
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("item", "price", models.IntegerField(null=True)),
        migrations.RunSQL("SELECT 1 / 0", migrations.RunSQL.noop),
    ]
