from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_field_3")]
    operations = [migrations.AddField("item", "field_4", models.IntegerField(null=True))]
