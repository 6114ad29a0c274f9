"""Batch operations from the queue's selection (issue 22, point 4): each dossier through the
single action's service, only in a state that allows it, capped, one job with a result per
dossier, the engine's award previewed before a batch proposal, acts generated in the job."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import DossierDocument, DossierTransitionLog
from audit.models import AuditEvent
from instruction import batch, review, services
from instruction.models import BatchItem, BatchJob, ComplementRequest, Message, Review
from instruction.shaping import label_create
from organisations.models import Membership
from territories.models import Region


@pytest.fixture
def admissible(submitted, agent_of):
    """`admissible(n)`: n PDL-IN dossiers declared admissible by one agent, and that agent."""
    agent = agent_of("PDL")

    def make(n=3):
        dossiers = []
        for _ in range(n):
            dossier = submitted("PDL-IN")
            services.dossier_take(user=agent, dossier=dossier)
            dossiers.append(services.dossier_declare_admissible(user=agent, dossier=dossier))
        return dossiers

    return agent, make


def _prepare(client, action, dossiers, **extra):
    data = {"batch_action": action, "dossiers": [d.pk for d in dossiers], **extra}
    return client.post(reverse("instruction:batch_prepare"), data)


def _start(client, action, dossiers, capture, **extra):
    data = {"batch_action": action, "dossiers": [d.pk for d in dossiers], "token": "t1", **extra}
    with capture(execute=True):
        return client.post(reverse("instruction:batch_start"), data)


def _items(job) -> dict[str, tuple[str, str]]:
    return {
        item.dossier.number: (item.outcome, item.message)
        for item in job.items.select_related("dossier")
    }


def test_batch_proposal_previews_the_engines_award_then_proposes_each(
    client, admissible, submitted, django_capture_on_commit_callbacks
):
    agent, make = admissible
    ready = make(2)
    fresh = submitted("PDL-IN")  # not admissible yet: left out
    client.force_login(agent)
    preview = _prepare(client, "propose", [*ready, fresh])
    assert preview.status_code == 200
    rows = {row["dossier"].number: row for row in preview.context["rows"]}
    for dossier in ready:
        assert rows[dossier.number]["award"] == Decimal(review.review_estimate(dossier)["award"])
        assert rows[dossier.number]["possible"]
    assert not rows[fresh.number]["possible"]
    assert rows[fresh.number]["why"] == "Action impossible : le dossier est à l'état « Déposé »."
    assert preview.context["possible_count"] == 2

    response = _start(
        client,
        "propose",
        [*ready, fresh],
        django_capture_on_commit_callbacks,
        favourable="1",
        comment="Projets conformes.",
    )
    job = BatchJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/lots/{job.pk}/")
    assert (job.status, job.total, job.processed) == ("done", 3, 3)
    outcomes = _items(job)
    assert outcomes[fresh.number][0] == "skipped"
    for dossier in ready:
        dossier.refresh_from_db()
        assert dossier.state == S.PROPOSED
        assert outcomes[dossier.number] == ("done", "Proposition enregistrée.")
        proposed = Review.objects.get(dossier=dossier).proposed_award
        assert proposed == rows[dossier.number]["award"] > 0
        assert DossierTransitionLog.objects.filter(dossier=dossier, transition="propose").exists()
    assert AuditEvent.objects.filter(action="dossier_propose").count() == 2
    page = client.get(reverse("instruction:batch", args=[job.pk]))
    assert "Fait : 2 · Non traités (état du dossier) : 1 · Refusés : 0" in page.text


def test_batch_award_generates_each_decision_in_the_job(
    client, admissible, django_capture_on_commit_callbacks
):
    agent, make = admissible
    dossiers = make(2)
    for dossier in dossiers:
        award = Decimal(review.review_estimate(dossier)["award"])
        services.dossier_propose(
            user=agent, dossier=dossier, favourable=True, comment="Ok", award=award
        )
    client.force_login(agent)
    _start(client, "accept", dossiers, django_capture_on_commit_callbacks)
    job = BatchJob.objects.get()
    for item in job.items.select_related("dossier"):
        item.dossier.refresh_from_db()
        assert item.outcome == "done" and item.dossier.state == S.ACCEPTED
        document = DossierDocument.objects.get(dossier=item.dossier, kind="award")
        assert item.act_reference == document.reference
        assert item.award == item.dossier.awarded_amount


def test_a_refusal_without_motivation_launches_nothing_and_keeps_the_selection(
    client, admissible, django_capture_on_commit_callbacks
):
    agent, make = admissible
    dossiers = make(2)
    client.force_login(agent)
    response = _start(
        client, "reject", dossiers, django_capture_on_commit_callbacks, motivation=" "
    )
    assert response.status_code == 400
    assert "La motivation du refus est obligatoire" in response.text
    assert (
        response.context["ids"] == sorted(d.pk for d in dossiers)
        or len(response.context["ids"]) == 2
    )
    assert not BatchJob.objects.exists()
    _start(client, "reject", dossiers, django_capture_on_commit_callbacks, motivation="Hors cadre.")
    job = BatchJob.objects.get()
    assert {outcome for outcome, _ in _items(job).values()} == {"done"}
    assert DossierDocument.objects.filter(kind="rejection").count() == 2
    assert all(item.act_reference for item in job.items.all())


def test_the_same_form_posted_twice_makes_one_job(
    client, admissible, django_capture_on_commit_callbacks
):
    agent, make = admissible
    dossiers = make(1)
    client.force_login(agent)
    for _ in range(2):
        _start(client, "message", dossiers, django_capture_on_commit_callbacks, body="Bonjour")
    assert BatchJob.objects.count() == 1
    assert Message.objects.filter(dossier=dossiers[0], from_region=True).count() == 1


def test_complements_message_and_label_batches(
    client, admissible, django_capture_on_commit_callbacks
):
    agent, make = admissible
    dossiers = make(2)
    client.force_login(agent)
    due = (timezone.localdate() + timezone.timedelta(days=15)).isoformat()
    _start(
        client,
        "complements",
        dossiers,
        django_capture_on_commit_callbacks,
        items="Kbis",
        due_on=due,
    )
    assert ComplementRequest.objects.filter(items="Kbis").count() == 2
    label = label_create(
        user=agent, region=Region.objects.get(code="PDL"), name="À relancer", colour="red"
    )
    data = {"label": label.pk}
    client.post(
        reverse("instruction:batch_start"),
        {"batch_action": "label", "dossiers": [d.pk for d in dossiers], "token": "t2", **data},
    )
    job = BatchJob.objects.get(action="label")
    batch.batch_run(job_id=job.pk)  # no commit in this test: the worker's call, by hand
    assert {outcome for outcome, _ in _items(job).values()} == {"done"}
    assert all(d.labels.filter(label=label).exists() for d in dossiers)
    assert batch.batch_run(job_id=job.pk) == 0  # a finished job is not run again


def test_a_conflicted_dossier_fails_alone_with_its_reason(
    client, admissible, django_capture_on_commit_callbacks
):
    agent, make = admissible
    dossiers = make(2)
    Membership.objects.create(user=agent, organisation=dossiers[0].organisation)
    client.force_login(agent)
    _start(client, "message", dossiers, django_capture_on_commit_callbacks, body="Bonjour")
    outcomes = _items(BatchJob.objects.get())
    assert outcomes[dossiers[0].number][0] == "failed"
    assert "organisation" in outcomes[dossiers[0].number][1]
    assert outcomes[dossiers[1].number] == ("done", "Message envoyé.")


def test_out_of_scope_dossiers_are_left_out_and_the_cap_holds(
    client, admissible, submitted, agent_of, monkeypatch, django_capture_on_commit_callbacks
):
    agent, make = admissible
    dossiers = make(2)
    hdf = submitted("INAC")
    client.force_login(agent)
    _start(client, "message", [*dossiers, hdf], django_capture_on_commit_callbacks, body="Bonjour")
    job = BatchJob.objects.get()
    assert set(job.items.values_list("dossier_id", flat=True)) == {d.pk for d in dossiers}

    monkeypatch.setattr(batch, "BATCH_MAX", 1)
    response = _prepare(client, "message", dossiers, next="/instruction/")
    assert response.status_code == 302
    response = client.post(
        reverse("instruction:batch_start"),
        {
            "batch_action": "message",
            "dossiers": [d.pk for d in dossiers],
            "body": "x",
            "token": "t3",
        },
    )
    assert response.status_code == 400 and "au plus 1 dossiers" in response.text
    # Another agent does not see the job.
    client.force_login(agent_of("PDL"))
    assert client.get(reverse("instruction:batch", args=[job.pk])).status_code == 404


def test_the_whole_filtered_list_can_be_prepared(client, admissible):
    agent, make = admissible
    dossiers = make(3)
    client.force_login(agent)
    response = client.post(
        reverse("instruction:batch_prepare"),
        {"batch_action": "propose", "all": "1", "query": "tab=all&state=admissible"},
    )
    assert {row["dossier"].pk for row in response.context["rows"]} == {d.pk for d in dossiers}
    assert BatchItem.objects.count() == 0


def test_the_same_form_posted_twice_at_once_makes_one_job(admissible, monkeypatch):
    agent, make = admissible
    dossiers = make(2)
    ids = [d.pk for d in dossiers]
    first = batch.batch_create(user=agent, action="propose", ids=ids, params={}, token="t2")
    # The second post read "no job yet" before the first one was committed.
    real_filter = BatchJob.objects.filter
    monkeypatch.setattr(BatchJob.objects, "filter", lambda *a, **k: real_filter(*a, **k).none())
    second = batch.batch_create(user=agent, action="propose", ids=ids, params={}, token="t2")
    assert second.pk == first.pk
    assert BatchJob.objects.count() == 1 and BatchItem.objects.count() == 2


def test_an_unexpected_error_fails_its_dossier_alone_and_the_job_still_finishes(
    client, admissible, django_capture_on_commit_callbacks, monkeypatch
):
    agent, make = admissible
    dossiers = make(2)
    real_apply = batch._apply

    def crash_on_first(user, action, params, dossier):
        if dossier.pk == dossiers[0].pk:
            raise RuntimeError("disk full")
        return real_apply(user, action, params, dossier)

    monkeypatch.setattr(batch, "_apply", crash_on_first)
    client.force_login(agent)
    _start(client, "message", dossiers, django_capture_on_commit_callbacks, body="Bonjour")
    job = BatchJob.objects.get()
    assert job.status == "done" and job.finished_at is not None
    outcomes = _items(job)
    assert outcomes[dossiers[0].number] == (
        "failed",
        "Erreur inattendue : l’opération n’a pas été faite sur ce dossier.",
    )
    assert outcomes[dossiers[1].number] == ("done", "Message envoyé.")


def test_a_failed_act_keeps_the_decision_done_with_a_note(
    client, admissible, django_capture_on_commit_callbacks, monkeypatch
):
    agent, make = admissible
    [dossier] = make(1)
    award = Decimal(review.review_estimate(dossier)["award"])
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Ok", award=award
    )

    def broken_act(dossier, action):
        raise OSError("storage down")

    monkeypatch.setattr(batch, "_act", broken_act)
    client.force_login(agent)
    _start(client, "accept", [dossier], django_capture_on_commit_callbacks)
    job = BatchJob.objects.get()
    dossier.refresh_from_db()
    assert dossier.state == S.ACCEPTED and job.status == "done"
    outcome, message = _items(job)[dossier.number]
    assert outcome == "done"
    assert "L’acte n’a pas pu être généré" in message


def test_an_item_already_claimed_by_another_run_is_not_processed_twice(
    client, admissible, django_capture_on_commit_callbacks, monkeypatch
):
    agent, make = admissible
    dossiers = make(1)
    calls = []
    real_apply = batch._apply

    def counting(user, action, params, dossier):
        calls.append(dossier.pk)
        return real_apply(user, action, params, dossier)

    monkeypatch.setattr(batch, "_apply", counting)
    client.force_login(agent)
    _start(client, "message", dossiers, django_capture_on_commit_callbacks, body="Bonjour")
    job = BatchJob.objects.get()
    item = job.items.get()
    BatchJob.objects.filter(pk=job.pk).update(status="running")  # a redelivered task
    batch._run_item(job, item)  # the stale copy it read before the first run finished
    assert calls == [dossiers[0].pk]
    assert Message.objects.filter(dossier=dossiers[0]).count() == 1
