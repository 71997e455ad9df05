from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0010_field_10")]
    operations = [migrations.AddField("item", "field_11", models.IntegerField(null=True))]
