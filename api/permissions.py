"""What a token may do: read within its scope; write only if it is not read-only."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken


class HasValidToken(BasePermission):
    """A valid token authenticated the request (expired and revoked ones fail before)."""

    message = "Un jeton d'API valide est nécessaire."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class TokenCanWrite(HasValidToken):
    """Unsafe methods need a token that is not read-only."""

    message = "Ce jeton d'API est en lecture seule : il ne permet pas de modifier les dossiers."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or not request.auth.read_only
