"""The transition tables of the payment models, each declared once (common.workflow.Workflow).

The dossier's own payment transitions (pay_advance, close) are in its table,
applications/workflow.py. Permission checks are the services'.
"""

from django.db.models import F

from audit.services import audit_record
from common.workflow import Transition, TransitionError, Workflow
from payments.enums import BatchState as B
from payments.enums import ChangeState as C
from payments.enums import RequestState as R
from payments.models import (
    PaymentBatch,
    PaymentBatchTransitionLog,
    PaymentRequest,
    PaymentRequestTransitionLog,
    ProviderChange,
    ProviderChangeTransitionLog,
)

__all__ = ["BATCH_WORKFLOW", "CHANGE_WORKFLOW", "REQUEST_WORKFLOW", "TransitionError"]

REQUEST_WORKFLOW = Workflow(
    model=PaymentRequest,
    log_model=PaymentRequestTransitionLog,
    log_field="request",
    audit=audit_record,
    audit_prefix="payment_request",
    subject="la demande de paiement",
    audit_object=lambda request: request.dossier,
    bump=lambda: {"lock_version": F("lock_version") + 1},
    transitions=[
        Transition(
            "certify",
            [R.SUBMITTED, R.SENT_BACK],
            R.CERTIFIED,
            "Service fait certifié, paiement proposé",
            audit_action="service_fait",
        ),
        Transition(
            "send_back",
            [R.CERTIFIED],
            R.SENT_BACK,
            "Proposition renvoyée à l'instructeur",
            audit_action="payment_send_back",
        ),
        Transition(
            "validate",
            [R.CERTIFIED],
            R.VALIDATED,
            "Paiement validé par le service financier",
            audit_action="payment_validate",
        ),
        # Service fait found nothing left to pay (what the advance paid covers it all).
        Transition(
            "validate_nothing_to_pay",
            [R.CERTIFIED],
            R.PAID,
            "Validée sans paiement : rien à verser",
            audit_action="payment_validate",
        ),
        Transition("pay", [R.VALIDATED], R.PAID, "Paiement effectué", audit_action="payment_paid"),
    ],
)

BATCH_WORKFLOW = Workflow(
    model=PaymentBatch,
    log_model=PaymentBatchTransitionLog,
    log_field="batch",
    audit=audit_record,
    audit_prefix="batch",
    subject="le lot",
    transitions=[
        Transition("export", [B.OPEN], B.EXPORTED, "Lot exporté vers le logiciel financier (figé)"),
        Transition("mark_paid", [B.EXPORTED], B.PAID, "Lot payé", audit_action="batch_paid"),
    ],
)

CHANGE_WORKFLOW = Workflow(
    model=ProviderChange,
    log_model=ProviderChangeTransitionLog,
    log_field="change",
    audit=audit_record,
    audit_prefix="provider_change",
    subject="le changement de prestataire",
    audit_object=lambda change: change.dossier,
    transitions=[
        Transition(
            "accept",
            [C.PENDING],
            C.ACCEPTED,
            "Changement de prestataire accepté",
            audit_action="provider_change_decide",
        ),
        Transition(
            "refuse",
            [C.PENDING],
            C.REFUSED,
            "Changement de prestataire refusé",
            audit_action="provider_change_decide",
        ),
    ],
)
