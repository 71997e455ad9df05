from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0019_field_19")]
    operations = [migrations.AddField("item", "field_20", models.IntegerField(null=True))]
