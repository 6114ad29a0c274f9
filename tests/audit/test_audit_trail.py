import datetime
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent, AuditTrailImmutable, compute_event_hash
from audit.services import audit_record
from tests.factories import UserFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="raw tampering on SQLite")


def verify(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def record_several(user=None) -> list[AuditEvent]:
    user = user or UserFactory()
    return [
        audit_record(actor=user, action="dossier_create", obj=user, to_state="draft"),
        audit_record(
            actor=user,
            action="payment_validate",
            data={"amount": Decimal("1234.50"), "on": datetime.date(2026, 11, 22), "ids": (1, 2)},
        ),
        audit_record(actor=None, action="scan_done", comment="Analyse « propre »"),
        audit_record(actor=user, action="dossier_submit", from_state="draft", to_state="submitted"),
    ]


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_saving_an_existing_event_is_refused():
    event = audit_record(actor=None, action="scan_done")
    event.comment = "réécrit"
    with pytest.raises(AuditTrailImmutable):
        event.save()
    with pytest.raises(AuditTrailImmutable):
        AuditEvent.objects.get(pk=event.pk).save(update_fields=["comment"])
    assert AuditEvent.objects.get(pk=event.pk).comment == ""


@pytest.mark.django_db
def test_deleting_an_event_is_refused():
    event = audit_record(actor=None, action="scan_done")
    with pytest.raises(AuditTrailImmutable):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_bulk_update_delete_and_create_are_refused():
    event = audit_record(actor=None, action="scan_done")
    with pytest.raises(AuditTrailImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(comment="réécrit")
    with pytest.raises(AuditTrailImmutable):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailImmutable):
        AuditEvent.objects.bulk_update([event], ["comment"])
    with pytest.raises(AuditTrailImmutable):
        AuditEvent.objects.bulk_create([AuditEvent(action="hors_chaine")])
    assert AuditEvent.objects.get().comment == ""


@pytest.mark.django_db
def test_hash_is_recomputed_identically_from_the_stored_row():
    events = record_several()
    for event in events:
        stored = AuditEvent.objects.get(pk=event.pk)
        assert compute_event_hash(stored) == stored.hash == event.hash
    assert AuditEvent.objects.get(pk=events[1].pk).data == {
        "amount": "1234.50",
        "on": "2026-11-22",
        "ids": [1, 2],
    }
    assert [e.prev_hash for e in events] == ["", *[e.hash for e in events[:-1]]]


@pytest.mark.django_db
def test_verify_audit_passes_on_a_clean_chain():
    record_several()
    # Rows created directly through the model are chained too.
    AuditEvent.objects.create(action="submission_email_sent", data={"to": "a@exemple.fr"})
    code, out, err = verify()
    assert (code, out) == (0, "Journal d'audit intègre : 5 événements vérifiés.\n")
    assert "Aucune ancre signée" in err  # no anchor yet: said, not fatal unless required
    call_command("anchor_audit", stdout=StringIO())
    code, out, err = verify()
    assert code == 0 and err == ""
    assert out.startswith("Journal d'audit intègre : 5 événements vérifiés ; la dernière ancre")
    assert verify("--quiet") == (0, "", "")


@pytest.mark.django_db
def test_verify_audit_passes_on_an_empty_journal():
    assert verify()[:2] == (0, "Journal d'audit intègre : 0 événements vérifiés.\n")


@on_sqlite
@pytest.mark.django_db
def test_altered_row_is_reported_with_its_id():
    events = record_several()
    raw("UPDATE audit_auditevent SET to_state = %s WHERE id = %s", ["approved", events[2].pk])
    code, out, err = verify("--quiet")
    assert code == 1 and out == ""
    assert "après 2 événements vérifiés" in err
    assert f"Contenu altéré : événement n° {events[2].pk} du " in err
    assert "(scan_done)" in err


@on_sqlite
@pytest.mark.django_db
def test_deleted_row_in_the_middle_is_reported_as_a_broken_chain():
    events = record_several()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    code, _, err = verify()
    assert code == 1
    assert f"Chaînage rompu : événement n° {events[2].pk} du " in err
    assert f"il ne suit pas l'événement n° {events[0].pk} du " in err


@on_sqlite
@pytest.mark.django_db
def test_deleted_first_row_is_reported_as_a_broken_chain():
    events = record_several()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    code, _, err = verify()
    assert code == 1
    assert f"Chaînage rompu : événement n° {events[1].pk}" in err
    assert "suit un événement absent" in err


@on_postgresql
@pytest.mark.django_db
def test_postgresql_trigger_refuses_update_and_delete():
    event = audit_record(actor=None, action="scan_done")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE audit_auditevent SET comment = %s WHERE id = %s", ["réécrit", event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).comment == ""
    assert verify()[0] == 0


@pytest.mark.django_db
def test_deleting_a_user_keeps_their_events_and_the_chain():
    user = UserFactory(email="partie@exemple.fr")
    events = record_several(user)
    user_pk = user.pk
    user.delete()
    kept = AuditEvent.objects.filter(actor_id=user_pk).order_by("id")
    assert [e.pk for e in kept] == [events[0].pk, events[1].pk, events[3].pk]
    assert {e.actor_label for e in kept} == {"partie@exemple.fr"}
    assert verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_transactional_test_with_audit_rows_flushes_at_teardown():
    # The teardown flush (TRUNCATE on PostgreSQL) must not be refused by the trigger.
    audit_record(actor=None, action="scan_done")
    assert verify()[0] == 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_a_single_chain():
    writers, per_writer = 6, 8
    barrier = threading.Barrier(writers)
    errors = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                audit_record(actor=None, action="concurrent", data={"writer": n, "i": i})
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes)) == writers * per_writer
    assert verify()[:2] == (
        0,
        f"Journal d'audit intègre : {writers * per_writer} événements vérifiés.\n",
    )
