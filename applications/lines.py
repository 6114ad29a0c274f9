"""Repeated lines of the filing (expenses, holdings, de minimis aids): what a posted page means.

A formset of the filing is bound WITHOUT the stored lines as `initial`: each posted form is then
compared with a blank line, never with what the database holds at the time of the post (which an
autosave may have changed since the page was drawn). So:

- a prefilled line sent back unchanged is a line to keep (it is not « unchanged, so nothing »);
- a line whose « Supprimer » box is ticked is a deletion;
- a new blank line (the extra form) is nothing;
- a line with an error is reported on the page and never replaces what was stored for it.
"""

from dataclasses import dataclass, field

KEEP, DELETE, BLANK, INVALID = "keep", "delete", "blank", "invalid"


def bind_lines(formset_class, data, *, prefix: str, initial: list[dict], **kwargs):
    """The formset of a step: drawn from the stored lines, or bound to the posted page."""
    if data is None:
        return formset_class(prefix=prefix, initial=initial, **kwargs)
    return formset_class(data, prefix=prefix, **kwargs)


def line_state(formset, form) -> str:
    """KEEP, DELETE, BLANK or INVALID for one form of a bound formset."""
    valid = form.is_valid()  # cleans the form: its DELETE box is read from cleaned_data
    if formset.can_delete and formset._should_delete_form(form):
        return DELETE
    if form.empty_permitted and not form.has_changed():
        return BLANK
    return KEEP if valid else INVALID


@dataclass
class PostedLines:
    """The forms of a posted formset, each with its state (KEEP, DELETE, BLANK, INVALID)."""

    readable: bool  # False when the management form was tampered with: touch nothing
    forms: list[tuple[str, object]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.readable and all(state != INVALID for state, _ in self.forms)


def posted_lines(formset) -> PostedLines:
    if not formset.management_form.is_valid():
        return PostedLines(readable=False)
    return PostedLines(
        readable=True, forms=[(line_state(formset, form), form) for form in formset.forms]
    )
