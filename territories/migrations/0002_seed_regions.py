from django.db import migrations

from territories.data import DEPARTMENTS, REGION_DEPARTMENTS, REGIONS


def seed(apps, schema_editor):
    Region = apps.get_model("territories", "Region")
    Department = apps.get_model("territories", "Department")
    regions = {}
    for code, name, colour in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "colour": colour}
        )
    region_of = {dep: regions[r] for r, deps in REGION_DEPARTMENTS.items() for dep in deps}
    for code, name in DEPARTMENTS:
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "region": region_of.get(code)}
        )


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
