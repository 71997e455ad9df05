from django.db import migrations


class Migration(migrations.Migration):
    # 0002_a and 0002_b both follow 0001: two leaves (E302).
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.AlterModelOptions(name="product", options={"ordering": ["name"]})]
