#!/usr/bin/env python3
"""Container health check of the web service: GET /sante/ (liveness) answers {"statut": "ok"}.

Used by the Dockerfile's HEALTHCHECK and docker-compose.yml's web health check (and run by
scripts/smoke.py in CI). The Host header is the first of ALLOWED_HOSTS, as Django demands; /sante/
is exempt from the HTTPS redirect. Standard library only.

    python scripts/probe.py [URL]     # default http://127.0.0.1:8000/sante/
"""

import json
import os
import sys
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/sante/"


def allowed_host() -> str:
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
    return "localhost" if host in ("", "*") else host


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    request = urllib.request.Request(url, headers={"Host": allowed_host()})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.loads(response.read())
    except Exception as error:  # refused, timeout, HTTP error, not JSON
        print(f"{url}: {type(error).__name__}", file=sys.stderr)
        return 1
    return 0 if answer.get("statut") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
