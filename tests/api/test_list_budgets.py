"""The API's lists have a query budget that does not grow with their rows (the dossiers' list:
test_dossiers.test_list_query_count_is_constant)."""

import pytest

from tests.api.conftest import make_payment

pytestmark = pytest.mark.django_db

# Token, the page of rows (and what it shows), the call log.
BUDGETS = {"/api/v1/decisions/": 4, "/api/v1/payments/": 3, "/api/v1/schemes/": 5}


@pytest.mark.parametrize("path", list(BUDGETS))
def test_api_list_has_a_query_budget(path, api, make_token, awarded, django_assert_max_num_queries):
    _, secret = make_token("PDL")
    client = api(secret)
    client.get(path)  # the first call also records last_used_at
    counts = []
    for _ in range(2):
        make_payment(awarded("PDL-IN"))  # one more decision and one more payment each time
        with django_assert_max_num_queries(BUDGETS[path]):
            response = client.get(path, {"page_size": 200})
        assert response.status_code == 200
        body = response.json()
        counts.append(len(body["results"] if isinstance(body, dict) else body))
    if path != "/api/v1/schemes/":
        assert counts == [1, 2]
