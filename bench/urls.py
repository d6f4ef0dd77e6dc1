"""The production URLs plus `/bench/bare`: the cheapest Django answer through the same middleware stack."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as production


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare, name="bench_bare"), *production]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
