"""Bearer tokens: `Authorization: Bearer <jeton>`; the request acts as the token's technical user."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.models import ApiToken, hash_secret

# last_used_at is written at most once per this delay, not on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : attendu « Bearer <jeton> »."
            )
        try:
            secret = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Jeton d'API invalide.") from exc
        token = (
            ApiToken.objects.select_related("user", "region")
            .filter(key_hash=hash_secret(secret))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Jeton d'API inconnu.")
        if token.is_revoked or token.user is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Ce jeton d'API a été révoqué.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                f"Ce jeton d'API a expiré le {token.expires_on:%d/%m/%Y} : "
                "demandez-en un nouveau à un administrateur."
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
