from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0015_field_15")]
    operations = [migrations.AddField("item", "field_16", models.IntegerField(null=True))]
