from django.db import migrations


def upper(apps, schema_editor):
    Item = apps.get_model("shop", "Item")
    for item in Item.objects.all():
        item.name = item.name.upper()
        item.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    # No reverse_code: W304, `migrate shop 0001_initial` cannot unapply it.
    operations = [migrations.RunPython(upper)]
