"""Webhook target URLs: https only, and never an address inside the portal's network.

The check runs when a webhook is saved and again before each delivery (the name may have been
pointed elsewhere since). Redirects are not followed at delivery, so a public address cannot
bounce a request to a private one.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback:
        return "une adresse de bouclage (loopback)"
    if address.is_link_local:
        return "une adresse lien-local"
    if address.is_multicast:
        return "une adresse multicast"
    if address.is_private:
        return "une adresse privée"
    if address.is_unspecified or address.is_reserved or not address.is_global:
        return "une adresse réservée"
    return ""


def resolve(host: str, port: int) -> list[str]:
    """The IP addresses a host name resolves to (a literal address resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def validate_target_url(url: str, *, allow_private: bool = False) -> None:
    """Raise ValidationError (French message) if the portal must not POST to `url`."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("L'adresse du webhook doit être une URL http(s) complète.")
    if parts.scheme != "https" and not allow_private:
        raise ValidationError("L'adresse du webhook doit utiliser https.")
    if parts.username or parts.password:
        raise ValidationError("L'adresse du webhook ne doit pas contenir d'identifiants.")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ValidationError("Le port de l'adresse du webhook est invalide.") from exc
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            f"Le nom « {parts.hostname} » ne correspond à aucune adresse : vérifiez l'URL."
        ) from exc
    for raw in addresses:
        reason = _refusal(ipaddress.ip_address(raw.split("%", 1)[0]))
        if reason:
            raise ValidationError(
                f"L'adresse du webhook mène à {reason} ({raw}) : refusé. Seul un administrateur "
                "peut autoriser une adresse interne."
            )
