"""The one transition mechanism of every stateful model (dossier, payment request, batch...).

A model's life is declared once, next to the model, as a `Workflow`: its transitions
`(name, from_states, to_state, label)`, its log table and how its audit row is written.
`Workflow.apply` is the only code that writes a `state` field (tests/common/test_state_writes.py
checks it). In one transaction it

1. locks the row (`select_for_update`) and reads its state;
2. runs the caller's `check` on the locked row (permission, conflict of interest, amounts...);
3. compare-and-sets the state (`filter(pk=..., state=from).update(state=to, ...)`): zero rows
   means someone else got there first, and a second click or a second tab gets a French refusal;
4. writes one row in the model's log table (who, when, from, to, why) and one audit row.

This module is the lowest layer: the audit writer is handed in by the app declaring the workflow.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction


class TransitionError(Exception):
    """A transition that cannot happen now; `message` is French, shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    """`name` is a stable code; `label` is the French line of the history (« Aide attribuée »)."""

    name: str
    sources: tuple[str, ...]
    target: str
    label: str
    # The audit row's action; empty: "<workflow prefix>_<name>".
    audit_action: str = ""

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))
        object.__setattr__(self, "target", str(self.target))


class TransitionLog(models.Model):
    """The columns of every log table; each model's log adds its foreign key to the model."""

    transition = models.CharField("transition", max_length=40)
    from_state = models.CharField("état avant", max_length=32)
    to_state = models.CharField("état après", max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class Workflow:
    """A model's transition table and the one function that applies a transition.

    - `log_model` / `log_field`: the model's log table and its foreign key to the model;
    - `audit`: the audit writer (`audit.services.audit_record`), `audit_prefix` the actions'
      prefix, `audit_object(obj)` the object the audit row is about (default: obj itself);
    - `subject`: how refusals name the object (« le dossier », « la demande »);
    - `bump()`: extra columns written by every transition (a version counter, a timestamp).
    """

    def __init__(
        self,
        *,
        model: type[models.Model],
        log_model: type[models.Model],
        log_field: str,
        transitions: Iterable[Transition],
        audit: Callable[..., Any],
        audit_prefix: str,
        subject: str,
        audit_object: Callable[[Any], models.Model] | None = None,
        bump: Callable[[], dict] | None = None,
    ):
        self.model, self.log_model, self.log_field = model, log_model, log_field
        self.audit, self.audit_prefix, self.subject = audit, audit_prefix, subject
        self.audit_object = audit_object or (lambda obj: obj)
        self.bump = bump or dict
        self.states = dict(model._meta.get_field("state").choices)
        self.transitions: dict[str, Transition] = {}
        for item in transitions:
            if item.name in self.transitions:
                raise ValueError(f"Transition {item.name!r} declared twice")
            unknown = {*item.sources, item.target} - set(self.states)
            if unknown:
                raise ValueError(f"Transition {item.name!r}: unknown states {sorted(unknown)}")
            self.transitions[item.name] = item

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __contains__(self, name: str) -> bool:
        return name in self.transitions

    def allows(self, name: str, state: str) -> bool:
        """Whether `name` may start from `state` (the table only; the service checks who)."""
        return name in self.transitions and str(state) in self.transitions[name].sources

    def available(self, state: str) -> list[Transition]:
        """The transitions that may start from `state`, in declaration order."""
        return [t for t in self.transitions.values() if str(state) in t.sources]

    def sources(self, *names: str) -> tuple[str, ...]:
        """The states from which any of `names` may start, in the order of the states."""
        found = {s for name in names for s in self.transitions[name].sources}
        return tuple(s for s in self.states if s in found)

    def refusal(self, state: str | None) -> str:
        if state is None:
            return f"Action impossible : {self.subject} est introuvable."
        label = self.states.get(state, state)
        return f"Action impossible : {self.subject} est à l'état « {label} »."

    def apply(
        self,
        obj: models.Model,
        name: str,
        *,
        actor,
        comment: str = "",
        fields: dict | None = None,
        check: Callable[[Any], None] | None = None,
        refusal: str | None = None,
        data: dict | None = None,
    ):
        """Move `obj` along transition `name`; `fields` are written in the same UPDATE.

        `check(locked)` runs on the locked row before its state is compared: the permission
        hook (raise PermissionDenied, ValidationError or TransitionError to refuse). `refusal`
        replaces the generic French message when the state does not allow the transition.
        `data` goes to the audit row. Returns `obj`, reloaded.
        """
        transition = self.transitions[name]
        with transaction.atomic():
            locked = self.model.objects.select_for_update(of=("self",)).filter(pk=obj.pk).first()
            if locked is None:
                raise TransitionError(self.refusal(None))
            if check is not None:
                check(locked)
            from_state = locked.state
            if from_state not in transition.sources:
                raise TransitionError(refusal or self.refusal(from_state))
            updated = self.model.objects.filter(pk=obj.pk, state=from_state).update(
                state=transition.target, **self.bump(), **(fields or {})
            )
            if updated != 1:  # unreachable under the row lock; kept as the compare-and-set guard
                raise TransitionError(self.refusal(from_state))
            self.log_model.objects.create(
                **{self.log_field: obj},
                transition=name,
                from_state=from_state,
                to_state=transition.target,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                comment=comment,
            )
            self.audit(
                actor=actor,
                action=transition.audit_action or f"{self.audit_prefix}_{name}",
                obj=self.audit_object(obj),
                from_state=from_state,
                to_state=transition.target,
                comment=comment,
                data=data,
            )
        obj.refresh_from_db()
        return obj
