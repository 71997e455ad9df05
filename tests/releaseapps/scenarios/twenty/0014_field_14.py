from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0013_field_13")]
    operations = [migrations.AddField("item", "field_14", models.IntegerField(null=True))]
