"""`{% typed_text dossier "message" as text %}`: what the applicant typed in a form of the
dossier page that was refused (a file the server turned down, a transition that failed), so that
the page drawn again shows it: nothing typed is lost (see views_applicant.keep_typed_text)."""

from django import template

register = template.Library()


def session_key(dossier_id: int, name: str) -> str:
    return f"typed-{name}-{dossier_id}"


@register.simple_tag(takes_context=True)
def typed_text(context, dossier, name: str) -> str:
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return ""
    return request.session.pop(session_key(dossier.pk, name), "")
