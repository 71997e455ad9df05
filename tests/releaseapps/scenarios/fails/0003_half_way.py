from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_item_price")]
    operations = [
        # A schema change, then a statement that fails: the migration must roll back as a whole.
        migrations.AddField("item", "stock", models.IntegerField(null=True)),
        migrations.RunSQL("CREATE TABLE shop_half_way (id integer)", migrations.RunSQL.noop),
        migrations.RunSQL("SELECT 1 / 0", migrations.RunSQL.noop),
    ]
