"""The API's endpoints: read the token's scope; write through the instruction services."""

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from api import filters, serializers
from api.docs import docs_context
from api.models import ApiCall, ApiToken
from api.permissions import HasValidToken, TokenCanWrite
from applications.enums import DECIDED_STATES
from applications.enums import DossierState as S
from applications.models import Dossier, DossierDocument
from applications.workflow import TransitionError
from instruction import services
from instruction.actions import run_agent_transition
from instruction.shaping import labels_text
from payments.models import Payment
from schemes.models import CallPeriod, RuleVersion, Scheme

NOT_FOUND = "Introuvable : aucun objet de ce numéro dans le périmètre de ce jeton."


class ApiPagination(CursorPagination):
    # Cursor pagination: stable under inserts, no COUNT(*); follow `next` until it is null.

    page_size_query_param = "page_size"
    ordering = ("id",)

    def __init__(self):
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE


class UpdatedPagination(ApiPagination):
    ordering = ("last_saved_at", "id")


class DecisionPagination(ApiPagination):
    ordering = ("decided_at", "id")


class PaymentPagination(ApiPagination):
    ordering = ("validated_at", "id")


class ApiViewMixin:
    # Every call is logged (token, method, path, status, duration); French throttle message.

    permission_classes = [HasValidToken]

    def dispatch(self, request, *args, **kwargs):
        started = time.monotonic()
        response = super().dispatch(request, *args, **kwargs)
        # After a failed authentication DRF sets `_auth` to None: never authenticate twice.
        token = getattr(getattr(self, "request", None), "_auth", None)
        ApiCall.objects.create(
            token=token if isinstance(token, ApiToken) else None,
            method=request.method[:10],
            path=request.get_full_path()[:500],
            status=response.status_code,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        return response

    def handle_exception(self, exc):
        # Django's get_object_or_404 says "No Dossier matches the given query." in English.
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(NOT_FOUND)
        return super().handle_exception(exc)

    def throttled(self, request, wait):
        seconds = int(wait or 0) + 1
        raise exceptions.Throttled(
            wait=wait,
            detail=f"Trop d'appels avec ce jeton : réessayez dans {seconds} s.",
        )

    @property
    def token(self) -> ApiToken:
        return self.request.auth


def scoped_dossiers(token: ApiToken):
    """Dossiers of the token's region and schemes; drafts are the applicant's own business."""
    return Dossier.objects.filter(token.scope_q()).exclude(state=S.DRAFT)


@extend_schema_view(
    list=extend_schema(
        summary="Dossiers du périmètre du jeton",
        description=(
            "Dossiers déposés de la région et des dispositifs du jeton, du plus anciennement "
            "modifié au plus récent. Pour une synchronisation, passez `updated_since` (date de "
            "votre dernier appel) et suivez `next` jusqu'à ce qu'il soit nul."
        ),
        tags=["dossiers"],
    ),
    retrieve=extend_schema(
        summary="Un dossier",
        description="Détail d'un dossier : organisation, montants, état, dates, instruction, "
        "résultat du moteur au dépôt.",
        tags=["dossiers"],
    ),
)
class DossierViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    filterset_class = filters.DossierFilter
    pagination_class = UpdatedPagination
    serializer_class = serializers.DossierSerializer

    queryset = Dossier.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        queryset = (
            scoped_dossiers(self.token)
            .select_related("scheme__region", "organisation__department")
            .annotate(labels_text=labels_text())  # the team's labels, no query per dossier
        )
        if self.action != "list":
            queryset = queryset.select_related("rule_version", "review__agent")
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.DossierSerializer
        if self.action == "transitions":
            return serializers.TransitionRequestSerializer
        return serializers.DossierDetailSerializer

    @extend_schema(
        summary="Changer l'état d'un dossier",
        description=(
            "Applique une transition d'instruction avec les mêmes règles que les pages : "
            "droits de l'instructeur technique du jeton, journal des changements d'état, audit. "
            "Réservé aux jetons qui ne sont pas en lecture seule."
        ),
        tags=["dossiers"],
        request=serializers.TransitionRequestSerializer,
        responses={
            200: serializers.DossierDetailSerializer,
            400: OpenApiResponse(description="Données invalides (message en français)."),
            403: OpenApiResponse(description="Jeton en lecture seule ou hors périmètre."),
            404: OpenApiResponse(description="Dossier introuvable dans le périmètre."),
            409: OpenApiResponse(description="Transition impossible dans l'état actuel."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[TokenCanWrite])
    def transitions(self, request, number=None):
        dossier = get_object_or_404(scoped_dossiers(self.token), number=number)
        form = serializers.TransitionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            with transaction.atomic():
                services.claim_version(dossier, data["lock_version"])
                run_transition(user=request.user, dossier=dossier, data=data)
        except services.ConflictError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        except TransitionError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=400)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from exc
        fresh = self.get_queryset().select_related("rule_version", "review__agent")
        return Response(serializers.DossierDetailSerializer(fresh.get(pk=dossier.pk)).data)


def run_transition(*, user, dossier: Dossier, data: dict) -> Dossier:
    """Run the agent transition through the one dispatcher the review page uses too."""
    return run_agent_transition(
        user=user,
        dossier=dossier,
        name=data["transition"],
        motivation=data["motivation"],
        items=data["items"],
        due_on=data["due_on"],
        on=data["on"],
        favourable=bool(data["favourable"]),
    )


@extend_schema_view(
    list=extend_schema(
        summary="Décisions (aides attribuées et refus)",
        description="Dossiers décidés : montant attribué, date et référence de l'acte "
        "(arrêté attributif ou lettre de refus ; vide tant que l'acte est en génération).",
        tags=["décisions"],
    ),
    retrieve=extend_schema(summary="La décision d'un dossier", tags=["décisions"]),
)
class DecisionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilter
    pagination_class = DecisionPagination

    queryset = Dossier.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        acts = DossierDocument.objects.filter(
            kind__in=[DossierDocument.Kind.AWARD, DossierDocument.Kind.REJECTION],
            superseded_at__isnull=True,
        ).only("id", "dossier_id", "reference")
        return (
            Dossier.objects.filter(self.token.scope_q(), state__in=DECIDED_STATES)
            .annotate(decided_at=F("review__decided_at"))
            .filter(decided_at__isnull=False)
            .select_related("scheme", "organisation")
            .prefetch_related(Prefetch("documents", queryset=acts, to_attr="current_acts"))
        )


@extend_schema_view(
    list=extend_schema(
        summary="Paiements validés",
        description="Paiements validés par le service financier : montant, type, dates, lot.",
        tags=["paiements"],
    ),
    retrieve=extend_schema(summary="Un paiement", tags=["paiements"]),
)
class PaymentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PaymentSerializer
    filterset_class = filters.PaymentFilter
    pagination_class = PaymentPagination

    queryset = Payment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Payment.objects.filter(self.token.scope_q(prefix="dossier__")).select_related(
            "dossier__scheme", "batch"
        )


@extend_schema_view(
    list=extend_schema(
        summary="Dispositifs du périmètre",
        description="Codes, noms, périodes de dépôt et versions des règles.",
        tags=["dispositifs"],
    ),
    retrieve=extend_schema(summary="Un dispositif", tags=["dispositifs"]),
)
class SchemeViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    serializer_class = serializers.SchemeSerializer
    pagination_class = None

    queryset = Scheme.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        token = self.token
        queryset = Scheme.objects.filter(region_id=token.region_id)
        if token.scheme_codes:
            queryset = queryset.filter(code__in=token.scheme_codes)
        return (
            queryset.select_related("region")
            .prefetch_related(
                Prefetch("call_periods", queryset=CallPeriod.objects.order_by("opens_on")),
                Prefetch(
                    "rule_versions",
                    queryset=RuleVersion.objects.filter(status="published")
                    .order_by("valid_from")
                    .defer("parameters"),
                ),
            )
            .order_by("code")
        )

    @extend_schema(
        summary="Versions publiées des règles d'un dispositif",
        description="Chaque version publiée, avec ses dates de validité et chaque paramètre : "
        "sa valeur, sa citation (texte et passage) et sa note ; le même format que l'export "
        "de la gestion des dispositifs, réutilisable par un autre outil.",
        tags=["dispositifs"],
        responses={200: OpenApiResponse(description="Liste des versions publiées.")},
    )
    @action(detail=True, methods=["get"], url_path="versions")
    def versions(self, request, code=None):
        from governance.exchange import version_document

        scheme = self.get_object()
        published = RuleVersion.objects.filter(scheme=scheme, status="published").order_by(
            "valid_from"
        )
        return Response([version_document(v) for v in published.select_related("scheme")])


class DocsView(TemplateView):
    """The API documentation, server-rendered from the OpenAPI schema (api/docs.py)."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **docs_context()}
