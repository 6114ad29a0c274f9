"""One notification path: every e-mail is a template pair, rendered in French with the region's
signature, and recorded in the outbox in the caller's transaction."""

import ast
import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import get_template

from outbox.models import OutboxMessage
from outbox.notifications import render_email, template_names

ROOT = Path(settings.BASE_DIR)
EMAILS = ROOT / "templates" / "emails"
NBSP = "\u00a0"

REGION = SimpleNamespace(name="Pays de la Loire", code="PDL")
DOSSIER = SimpleNamespace(
    pk=7,
    number="PDL-IN-2026-000042",
    scheme=SimpleNamespace(name="Pass commerce numérique", code="PDL-IN", region=REGION),
    organisation=SimpleNamespace(name="Boulangerie Le Fournil", siret="73282932000074"),
    expense_basis="HT",
)
URL = "https://portail.example/demandes/7/"

# Each e-mail of the portal: its context and what the person must read in both parts.
CASES = {
    "dossier_submitted": (
        {
            "dossier": DOSSIER,
            "result": {"eligible": True, "award": "3960.2", "base": "9900.5"},
            "submitted_at": "22/11/2026 à 14:05",
            "url": URL,
        },
        "Dossier PDL-IN-2026-000042 déposé",
        ["22/11/2026 à 14:05", f"3{NBSP}960,20{NBSP}€", f"9{NBSP}900,50{NBSP}€", "Boulangerie"],
    ),
    "document_issued": (
        {
            "dossier": DOSSIER,
            "document": SimpleNamespace(reference="ARR-PDL-IN-2026-000042"),
            "label": "Décision d'attribution",
            "url": URL,
        },
        "Décision d'attribution — dossier PDL-IN-2026-000042",
        ["décision d'attribution, référence ARR-PDL-IN-2026-000042"],
    ),
    "complements_requested": (
        {"dossier": DOSSIER, "due_on": date(2026, 12, 31), "items": ["Kbis", "RIB"], "url": URL},
        "Compléments demandés — dossier PDL-IN-2026-000042",
        ["avant le 31/12/2026", "Kbis", "RIB"],
    ),
    "complements_received": (
        {"dossier": DOSSIER, "answer": "Voici le Kbis.", "url": URL},
        "Compléments reçus — dossier PDL-IN-2026-000042",
        ["Voici le Kbis."],
    ),
    "dossier_abandoned": (
        {"dossier": DOSSIER, "reason": "Projet abandonné par le demandeur.", "url": URL},
        "Dossier classé sans suite — dossier PDL-IN-2026-000042",
        ["est classé sans suite", "Projet abandonné par le demandeur."],
    ),
    "dossier_message": (
        {"dossier": DOSSIER, "body": "Merci d'ajouter le devis.", "url": URL},
        "Nouveau message — dossier PDL-IN-2026-000042",
        ["Merci d'ajouter le devis."],
    ),
    "payment_request_received": (
        {"dossier": DOSSIER, "kind": "Solde", "url": URL},
        "Demande de paiement — dossier PDL-IN-2026-000042",
        ["Une demande de paiement (solde) attend la vérification du service fait."],
    ),
    "payment_paid": (
        {
            "dossier": DOSSIER,
            "payment": SimpleNamespace(
                amount=Decimal("1234.5"), get_kind_display="Avance", iban="FR76...0189"
            ),
            "paid_on": date(2026, 11, 22),
            "iban_end": "0189",
            "url": URL,
        },
        "Paiement de votre aide — dossier PDL-IN-2026-000042",
        [f"1{NBSP}234,50{NBSP}€ (avance) le 22/11/2026", "se terminant par 0189"],
    ),
    "provider_change_decided": (
        {
            "dossier": DOSSIER,
            "change": SimpleNamespace(new_supplier="Web Atlantique"),
            "accepted": False,
            "comment": "Devis non daté.",
            "url": URL,
        },
        "Changement de prestataire — dossier PDL-IN-2026-000042",
        ["(Web Atlantique) est", "refusé", "Devis non daté."],
    ),
    "deadline_reminder": (
        {"dossier": DOSSIER, "reason": "Compléments attendus avant le 01/12/2026", "url": URL},
        "Rappel — dossier PDL-IN-2026-000042",
        ["Compléments attendus avant le 01/12/2026."],
    ),
    "file_quarantined": (
        {"dossier": DOSSIER, "filename": "devis.pdf", "url": URL},
        "Dossier PDL-IN-2026-000042 : un fichier déposé a été mis en quarantaine",
        ["devis.pdf", "mis en quarantaine"],
    ),
    "draft_deletion_notice": (
        {
            "dossier": DOSSIER,
            "deadline": date(2027, 1, 15),
            "last_saved": date(2026, 7, 1),
            "url": URL,
        },
        "Votre brouillon PDL-IN-2026-000042 sera supprimé le 15/01/2027",
        ["depuis le 01/07/2026", "d'ici le 15/01/2027"],
    ),
    "rule_version_notice": (
        {
            "event": "submitted",
            "ident": "PDL-IN v3",
            "scheme": "Pass commerce numérique (PDL-IN)",
            "label": "Taux 2027",
            "start": "01/01/2027",
            "actor": "Camille Martin",
            "url": URL,
        },
        "Version des règles PDL-IN v3 à relire et publier",
        ["Camille Martin a soumis à publication", "à partir du 01/01/2027"],
    ),
    "agent_digest": (
        {
            "name": "Camille Martin",
            "today": date(2026, 12, 2),
            "horizon": 7,
            "late": [
                SimpleNamespace(
                    number="PDL-IN-2026-000042",
                    organisation="Boulangerie Le Fournil",
                    what="Compléments attendus avant le 01/12/2026",
                    url=URL,
                )
            ],
            "coming": [
                SimpleNamespace(
                    number="PDL-IN-2026-000043",
                    organisation="Café du Port",
                    what="Premier contact avant le 05/12/2026",
                    url=URL,
                )
            ],
            "unassigned": 3,
            "queue_url": "https://portail.example/instruction/",
        },
        "Vos dossiers au 02/12/2026",
        [
            "En retard (1)",
            "Compléments attendus avant le 01/12/2026",
            "Premier contact avant le 05/12/2026",
            "3 dossiers déposés attendent un instructeur",
        ],
    ),
}
ACCOUNT_CASES = {
    "invitation": (
        {
            "organisation": DOSSIER.organisation,
            "inviter": "Camille Martin",
            "email": "associe@exemple.fr",
            "days": 14,
            "link": "https://portail.example/organisations/invitation/abc/",
        },
        "Invitation à rejoindre Boulangerie Le Fournil",
        ["Camille Martin vous invite", "SIRET 73282932000074", "dans les 14 jours"],
    ),
    "password_reset": (
        {"name": "Camille Martin", "link": "https://portail.example/reset/x/"},
        "Réinitialisation de votre mot de passe",
        ["Bonjour Camille Martin", "https://portail.example/reset/x/"],
    ),
    "account_email_confirmation": (
        {"email": "lea@exemple.fr", "activate_url": "https://portail.example/confirm/k/"},
        "Confirmez votre adresse électronique",
        ["l'adresse lea@exemple.fr", "https://portail.example/confirm/k/"],
    ),
    "otp_enrolment_link": (
        {"name": "Camille", "when": "22/11/2026 à 14:05", "hours": 48, "link": "https://l/"},
        "Activez la double authentification",
        ["valable 48 heures", "22/11/2026 à 14:05"],
    ),
    "otp_enabled": (
        {"name": "Camille", "when": "22/11/2026 à 14:05"},
        "Double authentification activée",
        ["dix codes de secours ont été créés"],
    ),
    "otp_device_replaced": (
        {"name": "Camille", "when": "22/11/2026 à 14:05"},
        "Application d'authentification remplacée",
        ["l'ancienne ne donne plus de codes valides"],
    ),
    "otp_backup_codes": (
        {"name": "Camille", "when": "22/11/2026 à 14:05"},
        "Nouveaux codes de secours",
        ["les précédents ne fonctionnent plus"],
    ),
    "otp_reset": (
        {"name": "Camille", "when": "22/11/2026 à 14:05", "admin": "Dominique Admin"},
        "Double authentification réinitialisée",
        ["Un administrateur (Dominique Admin)"],
    ),
}


def flat(text: str) -> str:
    """Spaces and line breaks collapsed (no-break spaces kept: they are part of the format)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def visible(html: str) -> str:
    """The HTML part as a reader sees it: tags dropped, entities resolved."""
    import html as html_module

    return flat(html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_dossier_email_renders_both_parts_in_french_with_the_regions_signature(name):
    context, subject, expected = CASES[name]
    email = render_email(name, context, region=REGION)
    assert email.subject == f"[Aides numériques] {subject}"
    page = visible(email.html)
    text = flat(email.text)
    for fragment in expected:
        assert fragment in text, (name, fragment)
        assert fragment in page, (name, fragment)
    if "dossier" in context:
        assert "PDL-IN-2026-000042" in text and "PDL-IN-2026-000042" in page
    for part in (text, page):
        assert "La Région Pays de la Loire" in part
        assert "None" not in part and "SimpleNamespace" not in part and "{{" not in part
    assert email.html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in email.html
    assert f"<title>{email.subject}</title>" in email.html.replace("&#x27;", "'")
    assert URL in email.text and f'href="{URL}"' in email.html


@pytest.mark.parametrize("name", sorted(ACCOUNT_CASES))
def test_each_account_email_renders_both_parts_signed_by_the_portal(name):
    context, subject, expected = ACCOUNT_CASES[name]
    email = render_email(name, context)
    assert email.subject == f"[Aides numériques] {subject}"
    page = visible(email.html)
    text = flat(email.text)
    for fragment in expected:
        assert fragment in text and fragment in page, (name, fragment)
    for part in (text, page):
        assert "L'équipe Aides numériques" in part and "Région" not in part
        assert "None" not in part
    assert '<html lang="fr">' in email.html


def test_every_email_template_pair_is_tested_here():
    names = {path.stem for path in EMAILS.glob("*.txt")} - {"base", "security_base"}
    names = {name for name in names if not name.startswith("_")}
    assert names == set(CASES) | set(ACCOUNT_CASES)


def test_html_part_escapes_what_people_typed():
    email = render_email(
        "dossier_message",
        {"dossier": DOSSIER, "body": "<script>alert(1)</script> & co", "url": URL},
        region=REGION,
    )
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "<script>alert(1)</script> & co" in email.text  # plain text is not HTML-escaped


# --- The transaction ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_message_is_sent_after_the_commit_and_not_at_all_when_the_transaction_rolls_back(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    from instruction.review import message_post
    from instruction.services import dossier_take

    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    dossier_take(user=agent, dossier=dossier)
    mail.outbox.clear()
    before = OutboxMessage.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            message_post(user=agent, dossier=dossier, body="Premier essai.", from_region=True)
            raise RuntimeError("the caller fails after the message")
    assert OutboxMessage.objects.count() == before
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message_post(user=agent, dossier=dossier, body="Second essai.", from_region=True)
            assert mail.outbox == []  # nothing leaves before the commit
    [message] = mail.outbox
    assert message.subject == f"[Aides numériques] Nouveau message — dossier {dossier.number}"
    assert "Second essai." in message.body and "Premier essai." not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Second essai." in html
    assert f"La Région {dossier.scheme.region.name}" in message.body
    assert OutboxMessage.objects.filter(task="outbox.tasks.send_notification").count() == 1


# --- Guards: one path, every e-mail a pair ------------------------------------------------------

SOURCES = [
    path
    for folder in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "root_packages"
    ]
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts
]
NOTIFIERS = {"notify", "_notify", "_notify_applicant"}


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _template_names_called() -> dict[str, list[str]]:
    """Every template name given to the notification service or its thin wrappers."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _called_name(node) in NOTIFIERS:
                names = [
                    arg.value
                    for arg in [*node.args, *(k.value for k in node.keywords)]
                    if isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and re.fullmatch(r"[a-z_]+", arg.value)
                ]
                # A template named by a variable only in the thin wrappers (whose callers
                # name it) and in allauth's adapter (PORTAL_TEMPLATES, checked below).
                first = node.args[0] if node.args else None
                assert names or (
                    isinstance(first, ast.Name)
                    and first.id in {"template", "name"}
                    and path.name in {"services.py", "shared.py", "two_factor.py", "adapters.py"}
                ), (str(path), node.lineno)
                for name in names:
                    found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_email_sent_names_a_template_pair_that_exists():
    from accounts.adapters import PORTAL_TEMPLATES

    called = _template_names_called()
    for name in PORTAL_TEMPLATES.values():  # allauth's e-mails the portal writes itself
        called.setdefault(name, []).append("accounts/adapters.py")
    assert len(called) >= 19  # every e-mail of the portal goes through the service
    for name, places in called.items():
        for template in template_names(name):
            get_template(template)  # raises TemplateDoesNotExist, naming the missing file
            assert (ROOT / "templates" / template).is_file(), (template, places)


def test_no_email_is_built_or_sent_outside_the_notification_service():
    allowed = {ROOT / "outbox" / "tasks.py"}
    forbidden = re.compile(
        r"EmailMultiAlternatives|EmailMessage|\bsend_mail\(|\bsend_mass_mail\(|mail_admins\(|"
        r"(from|import) django\.core\.mail|send_email\.delay|send_email\.apply|enqueue\(\s*send_email|"
        r"<!DOCTYPE html"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        if path not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if forbidden.search(line) and "def send_mail(self" not in line
    ]
    assert offenders == []
    # The sending tasks are named by the service only (accounts.tasks keeps the old name for
    # outbox rows recorded before this path existed).
    senders = re.compile(r"\bsend_(bulk_)?notification\b")
    users = {str(path.relative_to(ROOT)) for path in SOURCES if senders.search(path.read_text())}
    assert users == {"outbox/tasks.py", "outbox/notifications.py", "accounts/tasks.py"}
