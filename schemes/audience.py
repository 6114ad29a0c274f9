"""Who each scheme is for, in plain words, where two schemes of a region overlap.

The Hauts-de-France délibération n° 2021.01652 has two volets: volet 1 (INAC) for the
artisans-commerçants, which also admits enterprises of the ESS, and volet 2 (INESS), "destiné aux
entreprises de l'économie sociale et solidaire". Each says: « Ce dispositif n'est pas cumulable
avec d'autres aides financières individuelles régionales à la transition numérique des
entreprises ». So a visitor reads, next to each scheme, which one to choose.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Audience:
    summary: str  # replaces the scheme's summary where a person chooses a scheme
    choose: str  # who should choose it, and what to choose otherwise


AUDIENCES = {
    "INAC": Audience(
        summary="Subvention de 40 % des investissements numériques HT (3 000 € à 30 000 €) des "
        "artisans et commerçants des Hauts-de-France inscrits au registre du commerce (RCS) ou "
        "au répertoire des métiers (RM).",
        choose="Vous êtes une structure de l'économie sociale et solidaire (association "
        "employeuse, SCOP, société agréée ESUS, SIAE, groupement d'employeurs) ? Choisissez "
        "plutôt INESS, le volet qui vous est destiné : les deux aides ne se cumulent pas.",
    ),
    "INESS": Audience(
        summary="Subvention de 40 % des investissements numériques HT (3 000 € à 30 000 €) des "
        "structures de l'économie sociale et solidaire des Hauts-de-France : associations "
        "employeuses ayant une activité économique, SCOP, sociétés agréées ESUS, SIAE, "
        "groupements d'employeurs.",
        choose="Vous êtes artisan ou commerçant sans statut ESS ? Choisissez INAC. Les deux "
        "aides ne se cumulent pas : une structure de l'ESS choisit INESS.",
    ),
}


def audience_of(code: str) -> Audience | None:
    return AUDIENCES.get(code)
