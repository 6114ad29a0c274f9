from django.db import models


class RuleStatus(models.TextChoices):
    """The life of a rule version written by scheme managers (four-eyes publishing)."""

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumise à publication"
    PUBLISHED = "published", "Publiée"
    WITHDRAWN = "withdrawn", "Retirée avant son entrée en vigueur"


# (name, from states, to state, French label): the only moves a rule version makes.
RULE_TRANSITIONS = (
    ("submit", (RuleStatus.DRAFT,), RuleStatus.SUBMITTED, "Soumission à publication"),
    ("reopen", (RuleStatus.SUBMITTED,), RuleStatus.DRAFT, "Retour en brouillon"),
    ("publish", (RuleStatus.SUBMITTED,), RuleStatus.PUBLISHED, "Publication"),
    ("withdraw", (RuleStatus.PUBLISHED,), RuleStatus.WITHDRAWN, "Retrait avant entrée en vigueur"),
)
