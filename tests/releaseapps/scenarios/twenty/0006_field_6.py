from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0005_field_5")]
    operations = [migrations.AddField("item", "field_6", models.IntegerField(null=True))]
