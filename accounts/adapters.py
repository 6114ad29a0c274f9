from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from outbox.notifications import RenderedEmail, enqueue_rendered

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
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        # allauth's e-mails are allauth's own templates (account/email/*): already rendered, they
        # join the one notification path here.
        enqueue_rendered(
            RenderedEmail(subject=message.subject, text=message.body, html=html),
            to=list(message.to),
            from_email=message.from_email,
        )
