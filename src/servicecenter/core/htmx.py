"""The request type of views that read `request.htmx` (set by django_htmx's HtmxMiddleware)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest after HtmxMiddleware: annotate views with it so the type checker knows `request.htmx`."""

    htmx: HtmxDetails
