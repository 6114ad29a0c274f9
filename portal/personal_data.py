"""The person's rights over their data: download it, close the account (records kept, detached)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import Dossier
from audit.services import audit_record
from instruction.models import Message
from payments.models import PaymentRequest


def personal_data(user: User) -> dict:
    """Everything the portal holds about the person, as JSON-ready data."""
    dossiers = Dossier.objects.filter(created_by=user) | Dossier.objects.filter(submitted_by=user)
    return {
        "exporte_le": timezone.now().isoformat(),
        "compte": {
            "adresse": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "cree_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
        },
        "connexions": [
            {"le": e.at.isoformat(), "ip": e.ip_address, "navigateur": e.user_agent}
            for e in user.login_events.all()
        ],
        "roles": [
            {"role": a.role, "region": a.region.code if a.region_id else None}
            for a in user.role_assignments.select_related("region")
        ],
        "organisations": [
            {
                "nom": m.organisation.name,
                "siret": m.organisation.siret,
                "role": m.role,
                "depuis": m.created_at.isoformat(),
            }
            for m in user.memberships.select_related("organisation")
        ],
        "dossiers": [
            {
                "numero": d.number,
                "dispositif": d.scheme.code,
                "etat": d.state,
                "intitule": d.title,
                "cree_le": d.created_at.isoformat(),
                "depose_le": d.submitted_at.isoformat() if d.submitted_at else None,
            }
            for d in dossiers.select_related("scheme").distinct()
        ],
        "messages": [
            {"dossier": m.dossier.number, "le": m.created_at.isoformat(), "message": m.body}
            for m in Message.objects.filter(author=user).select_related("dossier")
        ],
        "demandes_de_paiement": [
            {
                "dossier": r.dossier.number,
                "type": r.kind,
                "etat": r.state,
                "montant": str(r.amount) if r.amount is not None else None,
            }
            for r in PaymentRequest.objects.filter(requested_by=user).select_related("dossier")
        ],
    }


@transaction.atomic
def account_close(*, user: User, password: str) -> None:
    """Close the account: the person is removed, the dossiers public accounting requires are kept
    and now refer to an anonymous closed account."""
    if not user.check_password(password):
        raise ValidationError("Mot de passe incorrect : le compte n'est pas fermé.")
    from allauth.account.models import EmailAddress
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    audit_record(actor=user, action="account_closed", obj=user)
    user.memberships.all().delete()
    user.role_assignments.all().delete()
    user.login_events.all().delete()
    EmailAddress.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.email = f"compte-ferme-{user.pk}@aides-numeriques.invalid"
    user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
