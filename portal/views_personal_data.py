import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from portal.personal_data import account_close, personal_data


@login_required
def my_data(request):
    if request.GET.get("format") == "json":
        data = json.dumps(personal_data(request.user), ensure_ascii=False, indent=2)
        response = HttpResponse(data, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mes-donnees-aides-numeriques.json"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "portal/my_data.html")


@login_required
def close_account(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "on":
            messages.error(request, "Cochez la case de confirmation pour fermer votre compte.")
        else:
            try:
                account_close(user=request.user, password=request.POST.get("password", ""))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                logout(request)
                messages.success(
                    request,
                    "Votre compte est fermé. Les dossiers déposés sont conservés par la Région, sans lien avec votre identité.",
                )
                return redirect("portal:home")
    return render(request, "portal/close_account.html")
