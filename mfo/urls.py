from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script from ?script: no inline script (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("core.api.urls")),
    path("api/v1/", include("loans.api.urls")),
    path("api/v1/", include("applications.api.urls")),
    path("api/v1/", include("collateral.api.urls")),
    path("api/v1/", include("prudential.api.urls")),
    path("loans/", include("loans.urls")),
    path("loans/", include("loans.changes_urls")),  # prepayment, restructuring, demands, end
    path("applications/", include("applications.urls")),
    path("committee/", include("applications.committee_urls")),
    path("collateral/", include("collateral.urls")),
    path("collateral/documents/", include("collateral.document_urls")),
    path("risk/norms/", include("prudential.norms_urls")),
    path("risk/figures/", include("prudential.figures_urls")),
    path("risk/", include("prudential.urls")),
    path("", include("shell.urls")),  # the home page
    path("", include("core.urls")),
]

# an unknown URL under /api/ answers with the API's error body, not the HTML page
handler404 = "core.api.errors.not_found"
