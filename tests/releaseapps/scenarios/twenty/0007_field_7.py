from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0006_field_6")]
    operations = [migrations.AddField("item", "field_7", models.IntegerField(null=True))]
