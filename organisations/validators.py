import re

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


RNA_NUMBER = re.compile(r"W\d{9}")


def clean_rna(value: str) -> str:
    """An association's number in the Répertoire national des associations: « W » and 9 digits
    (décret n° 2009-1562 ; as printed on the prefecture's receipt), compacted and upper-cased."""
    compact = re.sub(r"[\s.\-]", "", value or "").upper()
    if not RNA_NUMBER.fullmatch(compact):
        raise ValidationError(
            "Le numéro RNA s'écrit W suivi de 9 chiffres, par exemple W751234567 : il figure sur "
            "le récépissé de déclaration de l'association en préfecture.",
            code="format",
        )
    return compact


def validate_rna(value: str) -> None:
    clean_rna(value)
