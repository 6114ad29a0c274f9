"""The payments home (/paiements/): what each person has to do with money, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from payments import selectors

BUDGET_ROLES = selectors.BUDGET_ROLES
MY_REQUESTS_ROWS = 100


@login_required
@require_GET
def home(request):
    user = request.user
    context = {
        "finance": selectors.finance_panel(user=user),
        "agent": selectors.agent_panel(user=user),
        "budget_schemes": selectors.budget_schemes(user=user),
        "my_requests": list(selectors.applicant_requests(user=user)[:MY_REQUESTS_ROWS]),
        "is_staff_viewer": selectors.is_budget_viewer(user),
    }
    return render(request, "payments/home.html", context)
