import django_filters

from applications.enums import DossierState
from applications.models import Dossier
from payments.enums import PaymentKind
from payments.models import Payment


class DossierFilter(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="last_saved_at",
        lookup_expr="gte",
        label="Modifiés depuis (date et heure ISO 8601, ex. 2026-05-01T00:00:00+02:00)",
    )
    scheme = django_filters.CharFilter(field_name="scheme__code", label="Code du dispositif")
    state = django_filters.MultipleChoiceFilter(choices=DossierState.choices, label="État")

    class Meta:
        model = Dossier
        fields = ["updated_since", "scheme", "state"]


class DecisionFilter(django_filters.FilterSet):
    decided_since = django_filters.IsoDateTimeFilter(
        field_name="decided_at", lookup_expr="gte", label="Décidés depuis (ISO 8601)"
    )
    scheme = django_filters.CharFilter(field_name="scheme__code", label="Code du dispositif")

    class Meta:
        model = Dossier
        fields = ["decided_since", "scheme"]


class PaymentFilter(django_filters.FilterSet):
    validated_since = django_filters.IsoDateTimeFilter(
        field_name="validated_at", lookup_expr="gte", label="Validés depuis (ISO 8601)"
    )
    scheme = django_filters.CharFilter(field_name="dossier__scheme__code", label="Dispositif")
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices, label="Type")

    class Meta:
        model = Payment
        fields = ["validated_since", "scheme", "kind"]
