from allauth.account.adapter import DefaultAccountAdapter

from accounts.tasks import send_email
from outbox.services import enqueue


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's e-mails through Celery, once the transaction has committed."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        kwargs = {
            "subject": message.subject,
            "body": message.body,
            "to": list(message.to),
            "html": html,
            "from_email": message.from_email,
        }
        enqueue(send_email, **kwargs)
