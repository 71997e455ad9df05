from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0017_field_17")]
    operations = [migrations.AddField("item", "field_18", models.IntegerField(null=True))]
