from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0018_field_18")]
    operations = [migrations.AddField("item", "field_19", models.IntegerField(null=True))]
