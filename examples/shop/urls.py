"""The demo shop's URLs: the API, its OpenAPI schema and Swagger UI, and DRF's login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def no_icon(request: HttpRequest) -> HttpResponse:
    """The shop has no icon: answered, so that browsers log no error for it."""
    return HttpResponse(status=204)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", include("examples.shop.catalog.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api-auth/", include("rest_framework.urls")),
    path("favicon.ico", no_icon),
]
