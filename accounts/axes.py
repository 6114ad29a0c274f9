def get_username(request, credentials: dict | None) -> str | None:
    """The login that django-axes counts failures for: the e-mail, whatever the form calls it."""
    credentials = credentials or {}
    for key in ("email", "login", "username"):
        if credentials.get(key):
            return str(credentials[key]).strip().lower()
    if request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("email")
        return value.strip().lower() if value else None
    return None
