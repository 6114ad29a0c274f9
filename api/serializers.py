"""What the API shows: staff data of the scope, never bank details nor applicants' accounts."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.enums import DossierState
from applications.models import Dossier
from applications.workflow import TRANSITIONS
from instruction.actions import API_TRANSITIONS
from instruction.shaping import parse_labels
from payments.models import Payment, PaymentBatch
from schemes.models import CallPeriod, RuleVersion, Scheme

MONEY = {"max_digits": 12, "decimal_places": 2}


class OrganisationSerializer(serializers.Serializer):
    name = serializers.CharField(label="raison sociale ou nom")
    siret = serializers.CharField(label="SIRET")
    kind = serializers.CharField(label="type")
    legal_form = serializers.CharField(label="forme juridique")
    naf = serializers.CharField(label="code APE/NAF")
    postal_code = serializers.CharField(label="code postal")
    city = serializers.CharField(label="commune")
    department = serializers.CharField(source="department.code", default=None, label="département")


class LabelSerializer(serializers.Serializer):
    name = serializers.CharField(label="étiquette")
    colour = serializers.CharField(label="couleur (code)")
    colour_label = serializers.CharField(label="couleur")


class DossierSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.code", label="dispositif")
    region = serializers.CharField(source="scheme.region.code", label="région")
    state_label = serializers.CharField(source="get_state_display", label="libellé de l'état")
    organisation = OrganisationSerializer()
    estimated_award = serializers.SerializerMethodField(label="aide estimée au dépôt")
    updated_at = serializers.DateTimeField(source="last_saved_at", label="modifié le")
    labels = serializers.SerializerMethodField(label="étiquettes de l'équipe d'instruction")

    class Meta:
        model = Dossier
        fields = [
            "number",
            "scheme",
            "region",
            "state",
            "state_label",
            "title",
            "organisation",
            "submitted_at",
            "filed_on",
            "acknowledged_on",
            "estimated_award",
            "awarded_amount",
            "lock_version",
            "updated_at",
            "labels",
        ]

    @extend_schema_field(LabelSerializer(many=True))
    def get_labels(self, dossier: Dossier):
        return parse_labels(getattr(dossier, "labels_text", None))

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_estimated_award(self, dossier: Dossier):
        award = (dossier.result or {}).get("award")
        return None if award is None else str(award)


class ReviewSerializer(serializers.Serializer):
    agent = serializers.SerializerMethodField(label="instructeur")
    taken_at = serializers.DateTimeField(label="pris en charge le")
    first_contact_due_on = serializers.DateField(label="premier contact avant le")
    proposed_award = serializers.DecimalField(**MONEY, label="aide proposée")
    proposal_favourable = serializers.BooleanField(allow_null=True, label="avis favorable")
    decided_at = serializers.DateTimeField(label="décidé le")
    realisation_deadline = serializers.DateField(label="fin de réalisation")
    proofs_deadline = serializers.DateField(label="justificatifs avant le")
    overdue_since = serializers.DateField(label="en retard depuis")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_agent(self, review):
        agent = review.agent
        return agent.get_full_name() or agent.email if agent else None


class DossierDetailSerializer(DossierSerializer):
    rule_version = serializers.CharField(
        source="rule_version.ident", default=None, label="version des règles"
    )
    review = serializers.SerializerMethodField(label="instruction")
    result = serializers.JSONField(label="résultat du moteur au dépôt")

    class Meta(DossierSerializer.Meta):
        fields = [
            *DossierSerializer.Meta.fields,
            "description",
            "expense_basis",
            "other_public_funding",
            "rule_version",
            "review",
            "result",
        ]

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_review(self, dossier: Dossier):
        review = getattr(dossier, "review", None)
        return ReviewSerializer(review).data if review else None


class TransitionRequestSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(
        choices=[(name, TRANSITIONS[name].label) for name in API_TRANSITIONS],
        label="transition",
        error_messages={"invalid_choice": "Transition inconnue : « {input} »."},
    )
    motivation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label="motivation ou commentaire",
        help_text=(
            "Obligatoire pour reject, abandon, reopen, propose et withdraw_proposal ; "
            "commentaire facultatif pour accept."
        ),
    )
    items = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="request_complements : éléments demandés, un par ligne.",
    )
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="request_complements : date limite.",
    )
    on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="declare_admissible : date de l'accusé de réception (aujourd'hui par défaut).",
    )
    favourable = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="propose : avis favorable ; l'aide proposée est celle calculée par le moteur.",
    )
    lock_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Version du dossier lue (champ lock_version) : 409 si quelqu'un l'a modifié.",
    )

    def validate(self, data):
        name = data["transition"]
        if name == "request_complements" and not data.get("due_on"):
            raise serializers.ValidationError({"due_on": "Indiquez la date limite de réponse."})
        if name == "propose" and data.get("favourable") is None:
            raise serializers.ValidationError(
                {"favourable": "Une proposition indique l'avis : favorable (true) ou non (false)."}
            )
        return data


class DecisionSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.code", label="dispositif")
    organisation = serializers.CharField(source="organisation.name", label="organisation")
    siret = serializers.CharField(source="organisation.siret", label="SIRET")
    outcome = serializers.SerializerMethodField(label="décision")
    decided_at = serializers.DateTimeField(label="décidé le")
    act_reference = serializers.SerializerMethodField(label="référence de l'acte")

    class Meta:
        model = Dossier
        fields = [
            "number",
            "scheme",
            "organisation",
            "siret",
            "state",
            "outcome",
            "awarded_amount",
            "decided_at",
            "act_reference",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["accepted", "rejected"]))
    def get_outcome(self, dossier: Dossier) -> str:
        return "rejected" if dossier.state == DossierState.REJECTED else "accepted"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_act_reference(self, dossier: Dossier):
        acts = getattr(dossier, "current_acts", [])
        return acts[0].reference if acts else None


class BatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentBatch
        fields = ["id", "label", "state", "exported_at", "paid_on"]


class PaymentSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.number", label="dossier")
    scheme = serializers.CharField(source="dossier.scheme.code", label="dispositif")
    kind_label = serializers.CharField(source="get_kind_display", label="libellé du type")
    batch = BatchSerializer(allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "dossier",
            "scheme",
            "kind",
            "kind_label",
            "amount",
            "validated_at",
            "paid_on",
            "batch",
        ]


class CallPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallPeriod
        fields = ["opens_on", "closes_on", "label"]


class RuleVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleVersion
        fields = ["ident", "label", "valid_from", "valid_to"]


class SchemeSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", label="région")
    call_periods = CallPeriodSerializer(many=True)
    rule_versions = RuleVersionSerializer(many=True)

    class Meta:
        model = Scheme
        fields = ["code", "name", "region", "summary", "call_periods", "rule_versions"]
