from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_field_2")]
    operations = [migrations.AddField("item", "field_3", models.IntegerField(null=True))]
