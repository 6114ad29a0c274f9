"""Re-create the reference data the data migrations seed (regions and their facts, schemes, their
content and rule versions). Transactional tests flush every table when they end; those that need
the reference data call `reseed()` first (idempotent)."""

import importlib

# (migration module, function) in migration order: every data step the suite relies on.
DATA_STEPS = (
    ("territories.migrations.0002_seed_regions", "seed"),
    ("territories.migrations.0004_region_signatory", "set_delegations"),
    ("territories.migrations.0005_region_facts", "fill"),
    ("schemes.migrations.0002_seed_schemes", "seed"),
    ("schemes.migrations.0005_fill_scheme_content", "fill"),
    ("schemes.migrations.0008_seed_golden_cases", "seed"),
)


def reseed() -> None:
    from django.apps import apps

    for module, function in DATA_STEPS:
        getattr(importlib.import_module(module), function)(apps, None)
