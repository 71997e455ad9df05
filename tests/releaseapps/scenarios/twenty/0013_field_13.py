from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0012_field_12")]
    operations = [migrations.AddField("item", "field_13", models.IntegerField(null=True))]
