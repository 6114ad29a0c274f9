"""The queue's name search uses PostgreSQL's unaccent; SQLite has no extension to create."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("instruction", "0001_initial")]

    # The extension is kept on rollback: other objects may depend on it.
    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop, elidable=False)]
