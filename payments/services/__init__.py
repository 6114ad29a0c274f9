"""Payment services, one module per topic; every name stays importable from `payments.services`.

- `requests`: what the beneficiary may ask for, with which documents; the service fait;
- `payments`: finance's validation, payment (batch or return file), recovery, closing;
- `provider_changes`: a change of provider after the award;
- `shared`: who may act, the e-mails to the beneficiary.
"""

from applications.enums import PAYABLE_STATES  # noqa: F401
from common.workflow import TransitionError  # noqa: F401
from payments.services.payments import (  # noqa: F401
    mark_payment_paid,
    mask_iban,
    payment_validate,
    recovery_received,
)
from payments.services.provider_changes import (  # noqa: F401
    accepted_supplier,
    provider_change_decide,
    provider_change_declare,
)
from payments.services.requests import (  # noqa: F401
    DOCUMENT_LABELS,
    advance_paid,
    duplicate_invoice_refusal,
    invoice_identity,
    planned_base,
    proof_deadline_refusal,
    request_certify,
    request_create,
    request_kinds,
    request_send_back,
    required_documents,
    rules_for_payment,
    settle_for,
)
