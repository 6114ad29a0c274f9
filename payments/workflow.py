"""Payment transitions of the dossier, registered in its transition table."""

from applications.enums import DossierState as S
from applications.workflow import register

register("pay_advance", [S.ACCEPTED], S.ADVANCE_PAID, "Avance versée")
register(
    "close", [S.ACCEPTED, S.ADVANCE_PAID], S.CLOSED, "Dossier clôturé (aide versée ou reversée)"
)
