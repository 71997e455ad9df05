from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0007_field_7")]
    operations = [migrations.AddField("item", "field_8", models.IntegerField(null=True))]
