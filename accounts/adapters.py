from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from outbox.notifications import RenderedEmail, enqueue_rendered, notify

# allauth's e-mails the portal writes itself (templates/emails/<name>.txt and .html).
PORTAL_TEMPLATES = {
    "account/email/email_confirmation_signup": "account_email_confirmation",
    "account/email/email_confirmation": "account_email_confirmation",
}

PASSWORD_ONLY = "Mot de passe vérifié : saisissez le code de votre application d'authentification."


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's e-mails through Celery, once the transaction has committed."""

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ):
        """After the password of a person who still owes a second factor, say the code is
        expected: « Connexion réussie » comes only once the code is accepted."""
        if message_template == "account/messages/logged_in.txt":
            from accounts.two_factor import needs_second_factor

            user = (message_context or {}).get("user") or request.user
            if (
                settings.STAFF_OTP_REQUIRED
                and needs_second_factor(user)
                and not getattr(user, "is_verified", lambda: False)()
            ):
                message_template, message = None, PASSWORD_ONLY
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )

    def send_mail(self, template_prefix, email, context):
        # The portal's name and address, whatever host the request came through.
        site = SimpleNamespace(name="Aides numériques", domain=settings.SITE_URL)
        context = {"email": email, "current_site": site, **context}
        name = PORTAL_TEMPLATES.get(template_prefix)
        if name:
            notify(name, to=[email], context=context)
            return
        # Another of allauth's e-mails (none is sent with the portal's settings today): its own
        # templates (account/email/*), rendered by allauth, join the same outbox path.
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        enqueue_rendered(
            RenderedEmail(subject=message.subject, text=message.body, html=html),
            to=list(message.to),
            from_email=message.from_email,
        )
