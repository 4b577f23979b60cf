"""URLs of the test app: DRF's own router for the viewsets."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from tests.testapp import awaited, contract, dropin, guide, views
from tests.testapp.parity import drf as parity_drf
from tests.testapp.parity import restflow as parity_restflow

router = DefaultRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("lazy-products", views.LazyProductViewSet, basename="lazy-product")
router.register("plain-products", views.PlainProductViewSet, basename="plain-product")
router.register("columns-products", views.ColumnsProductViewSet, basename="columns-product")
router.register("columns-articles", views.ColumnsArticleViewSet, basename="columns-article")
router.register("linked-products", views.HyperlinkedProductViewSet, basename="linked-product")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("named-categories", views.NamedCategoryViewSet, basename="named-category")
router.register("private-products", views.PrivateProductViewSet, basename="private-product")
router.register("filtered-products", views.FilteredProductViewSet, basename="filtered-product")
router.register("atomic-products", views.AtomicProductViewSet, basename="atomic-product")
router.register("loose-products", views.NonAtomicProductViewSet, basename="loose-product")
router.register("default-products", views.DefaultAtomicityViewSet, basename="default-product")
router.register("drf-side-by-side", parity_drf.ProductViewSet, basename="drf-side")
router.register("streamed-products", views.StreamingProductViewSet, basename="streamed")
router.register("drf-hooks", views.DrfHooksViewSet, basename="drf-hooks")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("soft-products", guide.ProductSoftViewSet, basename="soft-product")
router.register("notes", contract.NoteViewSet, basename="note")
router.register("checked-notes", contract.CheckedNoteViewSet, basename="checked-note")
router.register("configured", dropin.ProductViewSet, basename="configured")
router.register("announcing", dropin.AnnouncingViewSet, basename="announcing")
router.register("broken-forms", dropin.BrokenForms, basename="broken-forms")
router.register("unbroken-forms", dropin.UnbrokenForms, basename="unbroken-forms")
router.register("awaited-products", awaited.AwaitedProductViewSet, basename="awaited")
router.register("awaited-pages", awaited.AwaitedProductPages, basename="awaited-page")
router.register("refusing-products", awaited.RefusingProductViewSet, basename="refusing")
router.register("writing-validate", awaited.WritingValidateViewSet, basename="writing-validate")
router.register("async-create", awaited.AsyncCreateViewSet, basename="async-create")
router.register("failing-notes", contract.FailingNoteViewSet, basename="failing-note")

drf_router = SimpleRouter()
drf_router.register("products", parity_drf.ProductViewSet, basename="drf-product")
restflow_router = SimpleRouter()
restflow_router.register("products", parity_restflow.ProductViewSet, basename="rf-product")

urlpatterns: list[URLPattern | URLResolver] = [
    path("request-thread/", views.request_thread),
    path("holds-transaction/", views.HoldsTransaction.as_view()),
    path("drf/", include(drf_router.urls)),
    path("rf/", include(restflow_router.urls)),
    path("", include(router.urls)),
    path("detail/<int:pk>/", views.ProductDetailView.as_view()),
    path("window/", views.ProductListCreateView.as_view()),
    path("cursor/", views.CursorProductList.as_view()),
    path("sync-pages/", views.SyncPaginatedProductList.as_view()),
    path("summary/", views.ProductSummaryView.as_view()),
    path("summary/<int:pk>/", views.ProductSummaryDetail.as_view()),
    path("version/", views.VersionedView.as_view()),
    path("whoami/", views.WhoAmIView.as_view()),
    path("drf-style-actions/", views.DrfStyleActions.as_view()),
    path("composed/", guide.ProductReadAndCreateView.as_view()),
    path("awaited-summary/", awaited.AwaitedSummary.as_view()),
    path("helpers/", dropin.ProductListView.as_view()),
    path("first-two/", dropin.FirstTwoProducts.as_view()),
    path("counted-ping/", dropin.CountedPing.as_view()),
    path("leaks-a-transaction/", dropin.LeaksATransaction.as_view()),
    path("composed/<int:pk>/", guide.ProductReadAndCreateView.as_view()),
    path("api-auth/", include("rest_framework.urls")),
]
