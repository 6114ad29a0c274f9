"""Seed the four schemes and their rule versions from the rules core's cited defaults."""

from django.db import migrations


def seed(apps, schema_editor):
    from schemes import core

    Region = apps.get_model("territories", "Region")
    Scheme = apps.get_model("schemes", "Scheme")
    RuleVersion = apps.get_model("schemes", "RuleVersion")
    CallPeriod = apps.get_model("schemes", "CallPeriod")
    for code, info in core.SCHEMES.items():
        scheme, _ = Scheme.objects.update_or_create(
            code=code,
            defaults={
                "name": info.name,
                "region": Region.objects.get(code=info.region),
                "summary": info.description[:300],
                "applicant_kinds": list(info.applicant_kinds),
            },
        )
        for version in core.default_versions():
            if version.scheme != code:
                continue
            data = version.to_json()
            RuleVersion.objects.update_or_create(
                ident=version.ident,
                defaults={
                    "scheme": scheme,
                    "label": version.label,
                    "valid_from": version.valid_from,
                    "valid_to": version.valid_to,
                    "parameters": data["parameters"],
                },
            )
            CallPeriod.objects.get_or_create(
                scheme=scheme,
                opens_on=version.valid_from,
                defaults={
                    "closes_on": version.valid_to,
                    "label": f"Période du texte {version.ident}",
                },
            )


class Migration(migrations.Migration):
    dependencies = [("schemes", "0001_initial"), ("territories", "0002_seed_regions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
