from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0014_field_14")]
    operations = [migrations.AddField("item", "field_15", models.IntegerField(null=True))]
