"""Two-factor authentication for staff: TOTP devices with single-use backup codes (django-otp)."""

import secrets
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record

BACKUP_CODES = 10


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Application d'authentification", confirmed=False
    )


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg


def secret_for_display(device: TOTPDevice) -> str:
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def confirm_device(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the TOTP device with a first code; returns fresh backup codes, or None if wrong."""
    if device.user_id != user.pk or not device.verify_token(token.replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = regenerate_backup_codes(user=user)
    audit_record(actor=user, action="otp_device_confirmed", obj=user)
    return codes


def regenerate_backup_codes(*, user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="Codes de secours", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify(user, token: str):
    """The confirmed device that accepts `token` (TOTP or a backup code, used once), or None."""
    from django_otp import devices_for_user

    token = token.replace(" ", "")
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None
