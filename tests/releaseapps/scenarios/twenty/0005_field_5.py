from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_field_4")]
    operations = [migrations.AddField("item", "field_5", models.IntegerField(null=True))]
