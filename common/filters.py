"""django-filter filters reading what people type the French way."""

import django_filters

from common.forms import FrenchDecimalField


class FrenchNumberFilter(django_filters.NumberFilter):
    """A NumberFilter that accepts « 7 500 », « 7 500,50 » (any kind of space), « 7500,5 € »."""

    field_class = FrenchDecimalField
