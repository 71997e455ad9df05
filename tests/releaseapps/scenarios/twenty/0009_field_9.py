from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0008_field_8")]
    operations = [migrations.AddField("item", "field_9", models.IntegerField(null=True))]
