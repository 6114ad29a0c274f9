"""The password reset form (apart from accounts.forms: allauth imports that module while it loads
its own forms, which this one extends)."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm

from accounts.tasks import send_password_reset
from outbox.services import enqueue


class ResetPasswordForm(AllauthResetPasswordForm):
    """Password reset that answers alike for known and unknown addresses.

    The request looks nobody up: it records one outbox task whatever the address, and the task
    (after the response, in the worker) finds the account and e-mails the link only if it exists.
    Same page, same status, same queries: the form tells nobody which addresses have an account.
    """

    def clean_email(self) -> str:
        return get_adapter().clean_email(self.cleaned_data["email"].lower())

    def save(self, request, **kwargs) -> str:
        email = self.cleaned_data["email"]
        enqueue(send_password_reset, email=email)
        return email
