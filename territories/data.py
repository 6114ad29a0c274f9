"""Reference data: the portal's regions and every French département (COG, INSEE)."""

REGIONS = [
    # Accent colours chosen for AA contrast (>= 4.5:1) with white text.
    ("HDF", "Hauts-de-France", "#1F4E8C"),
    ("PDL", "Pays de la Loire", "#0B6157"),
    ("IDF", "Île-de-France", "#8A1C3E"),
]

REGION_DEPARTMENTS = {
    "HDF": ["02", "59", "60", "62", "80"],
    "PDL": ["44", "49", "53", "72", "85"],
    "IDF": ["75", "77", "78", "91", "92", "93", "94", "95"],
}

DEPARTMENTS = [
    ("01", "Ain"),
    ("02", "Aisne"),
    ("03", "Allier"),
    ("04", "Alpes-de-Haute-Provence"),
    ("05", "Hautes-Alpes"),
    ("06", "Alpes-Maritimes"),
    ("07", "Ardèche"),
    ("08", "Ardennes"),
    ("09", "Ariège"),
    ("10", "Aube"),
    ("11", "Aude"),
    ("12", "Aveyron"),
    ("13", "Bouches-du-Rhône"),
    ("14", "Calvados"),
    ("15", "Cantal"),
    ("16", "Charente"),
    ("17", "Charente-Maritime"),
    ("18", "Cher"),
    ("19", "Corrèze"),
    ("2A", "Corse-du-Sud"),
    ("2B", "Haute-Corse"),
    ("21", "Côte-d'Or"),
    ("22", "Côtes-d'Armor"),
    ("23", "Creuse"),
    ("24", "Dordogne"),
    ("25", "Doubs"),
    ("26", "Drôme"),
    ("27", "Eure"),
    ("28", "Eure-et-Loir"),
    ("29", "Finistère"),
    ("30", "Gard"),
    ("31", "Haute-Garonne"),
    ("32", "Gers"),
    ("33", "Gironde"),
    ("34", "Hérault"),
    ("35", "Ille-et-Vilaine"),
    ("36", "Indre"),
    ("37", "Indre-et-Loire"),
    ("38", "Isère"),
    ("39", "Jura"),
    ("40", "Landes"),
    ("41", "Loir-et-Cher"),
    ("42", "Loire"),
    ("43", "Haute-Loire"),
    ("44", "Loire-Atlantique"),
    ("45", "Loiret"),
    ("46", "Lot"),
    ("47", "Lot-et-Garonne"),
    ("48", "Lozère"),
    ("49", "Maine-et-Loire"),
    ("50", "Manche"),
    ("51", "Marne"),
    ("52", "Haute-Marne"),
    ("53", "Mayenne"),
    ("54", "Meurthe-et-Moselle"),
    ("55", "Meuse"),
    ("56", "Morbihan"),
    ("57", "Moselle"),
    ("58", "Nièvre"),
    ("59", "Nord"),
    ("60", "Oise"),
    ("61", "Orne"),
    ("62", "Pas-de-Calais"),
    ("63", "Puy-de-Dôme"),
    ("64", "Pyrénées-Atlantiques"),
    ("65", "Hautes-Pyrénées"),
    ("66", "Pyrénées-Orientales"),
    ("67", "Bas-Rhin"),
    ("68", "Haut-Rhin"),
    ("69", "Rhône"),
    ("70", "Haute-Saône"),
    ("71", "Saône-et-Loire"),
    ("72", "Sarthe"),
    ("73", "Savoie"),
    ("74", "Haute-Savoie"),
    ("75", "Paris"),
    ("76", "Seine-Maritime"),
    ("77", "Seine-et-Marne"),
    ("78", "Yvelines"),
    ("79", "Deux-Sèvres"),
    ("80", "Somme"),
    ("81", "Tarn"),
    ("82", "Tarn-et-Garonne"),
    ("83", "Var"),
    ("84", "Vaucluse"),
    ("85", "Vendée"),
    ("86", "Vienne"),
    ("87", "Haute-Vienne"),
    ("88", "Vosges"),
    ("89", "Yonne"),
    ("90", "Territoire de Belfort"),
    ("91", "Essonne"),
    ("92", "Hauts-de-Seine"),
    ("93", "Seine-Saint-Denis"),
    ("94", "Val-de-Marne"),
    ("95", "Val-d'Oise"),
    ("971", "Guadeloupe"),
    ("972", "Martinique"),
    ("973", "Guyane"),
    ("974", "La Réunion"),
    ("976", "Mayotte"),
]


def department_from_postal_code(postal_code: str) -> str:
    """The département code of a French postal code (Corsica and overseas included)."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        return ""
    if code.startswith("97"):
        return code[:3]
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    return code[:2]


# First line of the signature block of each region's acts (its president's title).
SIGNATORY_DELEGATIONS = {
    "HDF": "Pour le Président et par délégation",
    "PDL": "Pour la Présidente et par délégation",
    "IDF": "Pour la Présidente et par délégation",
}
# Demo data only (fictitious people): who signs the acts of each region by delegation.
DEMO_SIGNATORIES = {
    "HDF": ("Julien Lefebvre", "Directeur de l'économie et de l'innovation"),
    "PDL": ("Claire Martin", "Directrice de l'entreprise et de l'innovation"),
    "IDF": ("Sophie Bernard", "Directrice de la transition numérique"),
}


def seed_demo_signatories(region_model=None) -> int:
    """Give each region without a signatory its demo signatory; returns how many were set."""
    if region_model is None:
        from territories.models import Region as region_model
    updated = 0
    for code, (name, title) in DEMO_SIGNATORIES.items():
        updated += region_model.objects.filter(code=code, signatory_name="").update(
            signatory_name=name, signatory_title=title
        )
    return updated
