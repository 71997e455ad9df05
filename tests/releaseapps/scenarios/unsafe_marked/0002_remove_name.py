from django.db import migrations


class Migration(migrations.Migration):
    # The explicit opt-in that heroku_release honours for this migration only.
    deploytools_allow_unsafe = True
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RemoveField("item", "name")]
