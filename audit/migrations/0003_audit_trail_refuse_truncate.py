"""PostgreSQL: TRUNCATE of the audit trail is refused too, by a statement trigger.

Only `manage.py flush` (a confirmed wipe of the whole database, also what the test runner uses
between transactional tests) may empty the table: audit/management/commands/flush.py sets
`audit.allow_truncate` for its own session. Anyone else must first disable the trigger as the
table owner or a superuser, and the signed anchors (audit/anchors.py) then show the loss.
"""

from django.db import migrations

TABLE = "audit_auditevent"
FUNCTION = "audit_auditevent_refuse_truncate"
TRIGGER = "audit_auditevent_no_truncate"

CREATE_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('audit.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: TRUNCATE on {TABLE} refused'
        USING HINT = 'The audit trail is never emptied; manage.py flush is the only way.';
END;
$$;
CREATE TRIGGER {TRIGGER} BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
"""
DROP_SQL = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_trail_append_only")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
