from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0016_field_16")]
    operations = [migrations.AddField("item", "field_17", models.IntegerField(null=True))]
