from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0009_field_9")]
    operations = [migrations.AddField("item", "field_10", models.IntegerField(null=True))]
