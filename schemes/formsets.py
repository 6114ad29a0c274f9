from accounts.params import parse_int


def with_one_more_form(data, prefix: str):
    """A copy of the POSTed data with one more form in formset `prefix` ("add a line" without JS).

    A tampered TOTAL_FORMS is treated as 0: the formset then reports its own error, never a 500.
    """
    data = data.copy()
    raw = data.get(f"{prefix}-TOTAL_FORMS") or "0"
    total = parse_int(raw, maximum=1000) or 0
    data[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, 1000))
    return data
