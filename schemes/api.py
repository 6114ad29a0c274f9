from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from schemes import core
from schemes.engine import parse_json, settle, simulate


def _answer(request, compute) -> JsonResponse:
    try:
        result = compute(parse_json(request.body))
    except core.InputError as error:
        return JsonResponse(error.to_json(), status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(result, safe=False, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def simulate_api(request):
    """POST /api/v1/simulate: public, no login, no cookie (contract: contracts/simulate.md)."""
    return _answer(request, simulate)


@csrf_exempt
@require_POST
def settle_api(request):
    return _answer(request, settle)
