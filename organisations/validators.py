from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siren, siret


def clean_siret(value: str) -> str:
    """A valid SIRET (14 digits, Luhn key, La Poste's exception), compacted."""
    try:
        return siret.validate(value)
    except InvalidLength as exc:
        raise ValidationError("Le numéro SIRET doit comporter 14 chiffres.", code="length") from exc
    except InvalidFormat as exc:
        raise ValidationError(
            "Le numéro SIRET ne doit contenir que des chiffres.", code="format"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez-le sur votre extrait Kbis ou avis de situation INSEE.",
            code="checksum",
        ) from exc


def clean_siren(value: str) -> str:
    try:
        return siren.validate(value)
    except InvalidLength as exc:
        raise ValidationError("Le numéro SIREN doit comporter 9 chiffres.", code="length") from exc
    except InvalidFormat as exc:
        raise ValidationError(
            "Le numéro SIREN ne doit contenir que des chiffres.", code="format"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            "Ce numéro SIREN n'est pas valide (clé de contrôle incorrecte).", code="checksum"
        ) from exc


def validate_siret(value: str) -> None:
    clean_siret(value)
