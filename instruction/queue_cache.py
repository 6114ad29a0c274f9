"""The queue's tab counters, cached until the queue changes.

Counting every tab over an agent's whole scope is the queue page's most expensive query (tens of
thousands of dossiers per region). Agents reload the queue far more often than dossiers move, so
the counters are kept in the cache (Redis in production, shared by every gunicorn worker) under a
key made of:

- the **queue version**, a number bumped whenever a dossier changes state (a transition log row is
  written) or a review changes (agent taken or assigned, overdue flag, proposal, decision): a
  counter is never served after a change that could alter it;
- the agent's scope (regions and schemes): agents of the same scope share the counters, except
  "Mes dossiers", cached per agent;
- the filters and search of the page (tab, sort and page do not change the counters).

The option lists of the filters (schemes, départements, agents of the scope) are cached too, for
``CHOICES_TTL`` seconds, and the ids a search's look-ups found (``cached_search``).

Changes that bypass both (an organisation renamed or moved to another département) show in the
counters of a search or a département filter after ``COUNTERS_TTL`` seconds at most.
"""

import hashlib
import secrets
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction

COUNTERS_TTL = 60  # seconds
CHOICES_TTL = 300  # seconds: a new agent or scheme shows in the filters within five minutes
VERSION_KEY = "instruction:queue-version"


def queue_version() -> int:
    # A random start: counters cached under an evicted version are never read again.
    return cache.get_or_set(VERSION_KEY, lambda: secrets.randbits(40), timeout=None)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): the next reader starts a new one
        cache.delete(VERSION_KEY)


def queue_changed(**_) -> None:
    """Invalidate every cached counter, now and again once the transaction commits.

    Now: a page computed in this transaction does not reuse counters from before the change.
    On commit: a page computed by another process between the two (still seeing the data from
    before the commit) is not reused either.
    """
    _bump()
    transaction.on_commit(_bump)


# The review's fields the counters depend on: the agent (tabs "à prendre", "mes dossiers", filter
# by agent) and the overdue date (filter "retard").
REVIEW_QUEUE_FIELDS = frozenset({"agent", "agent_id", "overdue_since"})


def review_changed(instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """A review saved: invalidate the counters unless the change cannot alter them.

    A review created blank (no agent, not overdue) counts like no review at all; a save of named
    fields that are neither (a region share, a proposal) leaves them alone. Any other save
    invalidates them (a deletion does too, through ``queue_changed``).
    """
    if created and instance.agent_id is None and instance.overdue_since is None:
        return
    if update_fields is not None and not REVIEW_QUEUE_FIELDS & set(update_fields):
        return
    queue_changed()


def _digest(text: str) -> str:
    """A short fixed-length stand-in for free text (filters, search words) in a cache key."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def counters_key(*, scope_key: str, params, filter_names) -> str:
    """The key of the counters of a scope and filter set (`params`: the page's QueryDict).

    Agents of the same scope share them; "Mes dossiers" is cached apart, under ``mine_key``.
    """
    filters = sorted((name, value) for name in filter_names for value in params.getlist(name))
    return f"instruction:queue-counters:{queue_version()}:{scope_key}:{_digest(urlencode(filters))}"


def mine_key(counters_key: str, user_id: int) -> str:
    return f"{counters_key}:mine:{user_id}"


def cached_counters(key: str, compute: Callable[[], dict[str, int]]) -> dict[str, int]:
    return cache.get_or_set(key, compute, COUNTERS_TTL)


def cached_search(what: str, compute: Callable[[], list[int]]) -> list[int]:
    """The ids a search look-up found (organisations of a name, dossiers of a number prefix).

    Under the queue version like the counters: a dossier submitted since is found at once; an
    organisation renamed, within ``COUNTERS_TTL`` seconds.
    """
    key = f"instruction:queue-search:{queue_version()}:{_digest(what)}"
    return cache.get_or_set(key, compute, COUNTERS_TTL)


def cached_choices(scope_key: str, compute: Callable[[], dict]) -> dict:
    """The option lists of the queue's filters (schemes, départements, agents) of a scope."""
    return cache.get_or_set(f"instruction:queue-choices:{scope_key}", compute, CHOICES_TTL)


# --- What each agent shapes: labels, saved filters, columns ------------------------------------

LABELS_VERSION_KEY = "instruction:queue-labels-version"
FILTERS_VERSION_KEY = "instruction:queue-filters-version"
SHAPING_TTL = 300  # seconds


def _version(key: str) -> int:
    return cache.get_or_set(key, lambda: secrets.randbits(40), timeout=None)


def _bump_key(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.delete(key)


def labels_version() -> int:
    return _version(LABELS_VERSION_KEY)


def labels_changed() -> None:
    """A label created, renamed or deleted: the filter's option lists are read again."""
    _bump_key(LABELS_VERSION_KEY)
    transaction.on_commit(lambda: _bump_key(LABELS_VERSION_KEY))


def saved_filters_changed() -> None:
    _bump_key(FILTERS_VERSION_KEY)
    transaction.on_commit(lambda: _bump_key(FILTERS_VERSION_KEY))


def saved_filters_key(user_id: int) -> str:
    return f"instruction:queue-saved-filters:{_version(FILTERS_VERSION_KEY)}:{user_id}"


def columns_key(user_id: int) -> str:
    return f"instruction:queue-columns:{user_id}"
