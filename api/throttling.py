"""Rate limit per token (settings.API_RATE_LIMIT, e.g. "600/min"), read at each request."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view) -> bool:
        # Read the rate now, not at import: an administrator may change it without a deploy.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None  # unauthenticated calls are refused anyway
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
