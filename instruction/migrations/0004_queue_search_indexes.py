"""Indexes for the queue's search, on PostgreSQL only (SQLite searches with plain LIKE).

- ``aides_unaccent(text)``: ``unaccent`` is only STABLE (its dictionary could change), so it
  cannot appear in an index; this wrapper names the dictionary and is declared IMMUTABLE, the
  usual way to index unaccented text.
- a GIN index on the organisation name's word list without accents, which the name search of
  ``instruction.queue.name_search_q`` uses (the expression there must stay identical);
- a prefix index on the upper-cased dossier number, for ``number__istartswith``.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION aides_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """CREATE INDEX IF NOT EXISTS organisation_name_search_idx ON organisations_organisation
       USING gin (to_tsvector('simple'::regconfig, aides_unaccent(name)))""",
    """CREATE INDEX IF NOT EXISTS dossier_number_prefix_idx ON applications_dossier
       (UPPER(number::text) text_pattern_ops)""",
]
BACKWARD = [
    "DROP INDEX IF EXISTS dossier_number_prefix_idx",
    "DROP INDEX IF EXISTS organisation_name_search_idx",
    "DROP FUNCTION IF EXISTS aides_unaccent(text)",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("instruction", "0003_alter_complementrequest_options"),
        ("organisations", "0002_invitation"),
        ("applications", "0006_queue_indexes"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False)]
