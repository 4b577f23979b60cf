"""Every stack side by side in one server: /raw/, /restflow/, /adrf/, /drf/, /ninja/."""

from __future__ import annotations

import gc

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from benchmarks.catalog import adrf_views, drf_views, raw, restflow_views
from benchmarks.catalog.ninja_api import api


def router(viewset: type) -> list[URLPattern | URLResolver]:
    """The product routes of one viewset."""
    routes = SimpleRouter()
    routes.register("products", viewset, basename="product")
    return list(routes.urls)


def settle(request: HttpRequest) -> HttpResponse:
    """Collect the garbage left so far, so no stack's run pays for another's (not measured)."""
    gc.collect()
    return HttpResponse(status=204)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settle/", settle),
    path("raw/products/", raw.products),
    path("raw/products/<int:pk>/", raw.detail),
    path("raw/io/", raw.io),
    path("raw/rows/", raw.rows),
    path("restflow/", include((router(restflow_views.ProductViewSet), "restflow"))),
    path("restflow/io/", restflow_views.IOView.as_view()),
    path("restflow/rows/", restflow_views.Rows.as_view()),
    path("adrf/", include((router(adrf_views.ProductViewSet), "adrf"))),
    path("adrf/io/", adrf_views.IOView.as_view()),
    path("drf/", include((router(drf_views.ProductViewSet), "drf"))),
    path("drf/io/", drf_views.IOView.as_view()),
    path("drf/rows/", drf_views.Rows.as_view()),
    path("ninja/", api.urls),
]
