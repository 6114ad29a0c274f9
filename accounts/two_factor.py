"""Two-factor authentication for staff: TOTP devices with single-use backup codes (django-otp).

A password alone never reads nor changes a second factor:
- the FIRST device is enrolled through a one-time link (`enrolment_issue`): e-mailed to the
  person, or printed for an administrator; signed, expiring, single use, bound to the browser
  session that opens it, and only valid while the person has no device;
- replacing the device or regenerating the backup codes needs a verified session AND a current
  code (TOTP or backup code) typed again;
- removing the devices is an administrator's action (`devices_reset`), which sends a new link.
Every change is audited and e-mailed to the person.
"""

import hashlib
import secrets
from base64 import b32encode
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorEnrolment
from accounts.permissions import is_staff_member
from audit.services import audit_record
from outbox.notifications import notify

BACKUP_CODES = 10
BACKUP_CODE_DIGITS = 8
ENROLMENT_SALT = "accounts.two_factor.enrolment"
# A replacement is set up within this many seconds of typing the current code again.
REAUTH_SECONDS = 10 * 60
REAUTH_SESSION_KEY = "otp_reauthenticated_at"
ENROLMENT_SESSION_KEY = "otp_enrolment_id"
DEVICE_NAME = "Application d'authentification"
# One self-service enrolment link every few minutes: the page cannot be used to flood a mailbox.
LINK_INTERVAL = timedelta(minutes=5)


class EnrolmentRefused(Exception):
    """A one-time link that cannot be used; the message is French, for the person."""


def needs_second_factor(user) -> bool:
    """Staff roles, and anyone who can open the Django admin, must pass a second factor."""
    return bool(user.is_authenticated and (user.is_staff or is_staff_member(user)))


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg


def secret_for_display(device: TOTPDevice) -> str:
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def verify(user, token: str):
    """The confirmed device that accepts `token` (TOTP or a backup code, used once), or None.

    Only the device the token is shaped for is tried (six digits: the app; eight: a backup code):
    a backup code must not count as a wrong app code in django-otp's throttling.
    """
    token = (token or "").replace(" ", "")
    if not (token.isascii() and token.isdigit()):  # "²" and "١" are digits too
        return None
    model = StaticDevice if len(token) == BACKUP_CODE_DIGITS else TOTPDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


# --- E-mails ---------------------------------------------------------------------------------


def _notify(user, template: str, **context) -> None:
    """Tell the person (templates/emails/<template>), through the outbox (sent after the commit)."""
    notify(
        template,
        to=[user.email],
        context={
            "name": user.get_full_name() or user.email,
            "when": timezone.localtime().strftime("%d/%m/%Y à %H:%M"),
            **context,
        },
    )


# --- Enrolment of the first device -----------------------------------------------------------


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@transaction.atomic
def enrolment_issue(*, user, by=None, send: bool = True) -> str:
    """Create a one-time enrolment link for `user` (who has no device) and return it.

    Earlier unused links are revoked. `by` is the administrator who asked for it (None: the
    person asked on the code page). With `send`, the link is e-mailed to the person.
    """
    if has_device(user):
        raise EnrolmentRefused(
            "La double authentification est déjà activée sur ce compte : pour changer "
            "d'application, connectez-vous avec votre code puis ouvrez « Double authentification »."
        )
    now = timezone.now()
    TwoFactorEnrolment.objects.filter(user=user, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    nonce = secrets.token_urlsafe(32)
    hours = settings.OTP_ENROLMENT_HOURS
    enrolment = TwoFactorEnrolment.objects.create(
        user=user,
        nonce_hash=_digest(nonce),
        expires_at=now + timedelta(hours=hours),
        created_by=by,
    )
    token = signing.dumps({"e": enrolment.pk, "n": nonce}, salt=ENROLMENT_SALT)
    link = settings.SITE_URL + reverse("accounts:otp_enrol", args=[token])
    audit_record(
        actor=by or user,
        action="otp_enrolment_link_issued",
        obj=user,
        data={"enrolment": enrolment.pk, "sent": send},
    )
    if send:
        _notify(user, "otp_enrolment_link", hours=hours, link=link)
    return link


def link_recently_issued(user) -> bool:
    """A link was issued less than LINK_INTERVAL ago (the code page does not send another)."""
    return TwoFactorEnrolment.objects.filter(
        user=user, created_at__gt=timezone.now() - LINK_INTERVAL
    ).exists()


def enrolment_for_token(*, user, token: str) -> TwoFactorEnrolment:
    """The usable enrolment of `user` behind `token`, or EnrolmentRefused."""
    refused = EnrolmentRefused(
        "Ce lien d'activation n'est pas valide : il a expiré, a déjà servi ou a été remplacé "
        "par un lien plus récent."
    )
    try:
        payload = signing.loads(
            token, salt=ENROLMENT_SALT, max_age=settings.OTP_ENROLMENT_HOURS * 3600
        )
        enrolment_id, nonce = int(payload["e"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise refused from None
    enrolment = TwoFactorEnrolment.objects.filter(
        pk=enrolment_id,
        user=user,
        used_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).first()
    if enrolment is None or not constant_time_compare(enrolment.nonce_hash, _digest(nonce)):
        raise refused
    if has_device(user):
        raise EnrolmentRefused("La double authentification est déjà activée sur ce compte.")
    return enrolment


@transaction.atomic
def enrolment_open(*, request, enrolment: TwoFactorEnrolment) -> TOTPDevice:
    """Bind the link to this browser session (first opening) and return the pending device."""
    enrolment = TwoFactorEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.opened_at is None:
        enrolment.opened_at = timezone.now()
        enrolment.save(update_fields=["opened_at"])
        request.session[ENROLMENT_SESSION_KEY] = enrolment.pk
    elif request.session.get(ENROLMENT_SESSION_KEY) != enrolment.pk:
        raise EnrolmentRefused(
            "Ce lien d'activation a déjà été ouvert dans un autre navigateur : demandez-en un "
            "nouveau depuis la page de vérification."
        )
    return _pending_device(enrolment.user)


def _pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _pending_accepting(user, token: str) -> TOTPDevice | None:
    """The pending device if `token` is its current code (the new app works), else None."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((token or "").replace(" ", "")):
        return None
    return device


@transaction.atomic
def enrolment_confirm(*, user, enrolment: TwoFactorEnrolment, token: str):
    """Confirm the first device with its first code: (device, backup codes), or None if wrong."""
    enrolment = TwoFactorEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.used_at is not None or enrolment.revoked_at is not None or has_device(user):
        raise EnrolmentRefused("Ce lien d'activation a déjà servi.")
    device = _pending_accepting(user, token)
    if device is None:
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    enrolment.used_at = timezone.now()
    enrolment.save(update_fields=["used_at"])
    codes = _new_backup_codes(user)
    audit_record(
        actor=user, action="otp_device_enrolled", obj=user, data={"enrolment": enrolment.pk}
    )
    _notify(user, "otp_enabled")
    return device, codes


# --- Changes in a verified session -------------------------------------------------------------


def reauthenticate(*, request, token: str) -> bool:
    """A current code typed again in a verified session opens a short window for changes."""
    if not request.user.is_verified() or verify(request.user, token) is None:
        return False
    request.session[REAUTH_SESSION_KEY] = int(timezone.now().timestamp())
    return True


def recently_reauthenticated(request) -> bool:
    stamp = request.session.get(REAUTH_SESSION_KEY)
    return (
        request.user.is_verified()
        and isinstance(stamp, int)
        and 0 <= timezone.now().timestamp() - stamp <= REAUTH_SECONDS
    )


def replacement_device(request) -> TOTPDevice:
    """The pending device of a replacement (only after `reauthenticate`)."""
    if not recently_reauthenticated(request):
        raise PermissionError("reauthentication required")
    return _pending_device(request.user)


@transaction.atomic
def device_replace(*, request, token: str):
    """Confirm the new device: the old one is removed, new backup codes are returned."""
    user = request.user
    if not recently_reauthenticated(request):
        raise PermissionError("reauthentication required")
    device = _pending_accepting(user, token)
    if device is None:
        return None
    removed = TOTPDevice.objects.filter(user=user, confirmed=True).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(user)
    request.session.pop(REAUTH_SESSION_KEY, None)
    audit_record(actor=user, action="otp_device_replaced", obj=user, data={"removed": removed})
    _notify(user, "otp_device_replaced")
    return device, codes


@transaction.atomic
def backup_codes_regenerate(*, request, token: str) -> list[str] | None:
    """New backup codes (the old ones stop working) once a current code is typed again."""
    user = request.user
    if not reauthenticate(request=request, token=token):
        return None
    request.session.pop(REAUTH_SESSION_KEY, None)
    codes = _new_backup_codes(user)
    audit_record(actor=user, action="otp_backup_codes_regenerated", obj=user)
    _notify(user, "otp_backup_codes")
    return codes


@transaction.atomic
def devices_reset(*, user, by, send_link: bool = True) -> str:
    """An administrator removes every device of `user` (lost phone and codes) and gives a new
    enrolment link; returns the link."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit_record(actor=by, action="otp_device_removed", obj=user, data={"removed": removed})
    _notify(user, "otp_reset", admin=by.get_full_name() or by.email)
    return enrolment_issue(user=user, by=by, send=send_link)


def _new_backup_codes(user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="Codes de secours", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [
        f"{secrets.randbelow(10**BACKUP_CODE_DIGITS):0{BACKUP_CODE_DIGITS}d}"
        for _ in range(BACKUP_CODES)
    ]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes
