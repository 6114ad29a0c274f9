import pytest
from django.template import Context, Template

from schemes.templatetags.aides import euros


def test_large_ids_render_as_plain_numbers_in_forms_and_links():
    """An id of 1928 must be posted back as "1928", never as "1 928"."""
    html = Template('<input value="{{ pk }}">').render(Context({"pk": 1928}))
    assert html == '<input value="1928">'


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1234.5", "1\u00a0234,50\u00a0€"),
        ("0", "0,00\u00a0€"),
        ("1000000", "1\u00a0000\u00a0000,00\u00a0€"),
        (None, "—"),
    ],
)
def test_amounts_use_french_format(value, expected):
    assert euros(value) == expected
