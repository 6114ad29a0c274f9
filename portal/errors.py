from django.core.exceptions import BadRequest
from django.shortcuts import render


def bad_request(request, exception=None):
    # BadRequest is raised by the portal with a French message (accounts.params); other causes
    # (SuspiciousOperation) carry English internals: the page's general message then.
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "errors/400.html", {"message": message}, status=400)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
