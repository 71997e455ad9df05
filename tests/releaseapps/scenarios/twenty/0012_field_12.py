from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0011_field_11")]
    operations = [migrations.AddField("item", "field_12", models.IntegerField(null=True))]
