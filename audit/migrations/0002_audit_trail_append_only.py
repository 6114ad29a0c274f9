"""Append-only audit trail: author kept by label, chain re-sealed once, PostgreSQL trigger.

The rows written before this migration could not be verified (their hash was computed before
`auto_now_add` replaced the date), so they are re-chained once, in id order, with the canonical
hash of audit.models, before the trigger makes the table append-only. TRUNCATE is deliberately
not refused: it is a DBA operation, and the test runner's flush uses it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_auditevent"
FUNCTION = "audit_auditevent_refuse_change"
TRIGGER = "audit_auditevent_append_only"

CREATE_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on {TABLE} refused', TG_OP
        USING HINT = 'Record a new audit event instead.';
END;
$$;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
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


def reseal_chain(apps, schema_editor):
    from audit.models import compute_event_hash, normalise_data

    AuditEvent = apps.get_model("audit", "AuditEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    db = schema_editor.connection.alias
    previous = ""
    for event in AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000):
        if event.actor_id and not event.actor_label:
            user = User.objects.using(db).filter(pk=event.actor_id).first()
            event.actor_label = user.email if user else ""
        event.data = normalise_data(event.data)
        event.prev_hash = previous
        event.hash = previous = compute_event_hash(event)
        AuditEvent.objects.using(db).filter(pk=event.pk).update(
            actor_label=event.actor_label,
            data=event.data,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="actor_label",
            field=models.CharField(
                blank=True, max_length=254, verbose_name="auteur (au moment de l'action)"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="auteur",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="date",
            ),
        ),
        migrations.RunPython(reseal_chain, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
