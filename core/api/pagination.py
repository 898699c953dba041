from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination, _positive_int


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        """A page that is not a number or past the last one is an invalid ``page`` (400), as
        every other invalid input, not DRF's 404."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.page_query_param: [exc.detail]}) from exc

    def get_page_size(self, request):
        """A ``page_size`` that is not a positive whole number is refused, not ignored."""
        value = request.query_params.get(self.page_size_query_param)
        if not value:
            return self.page_size
        try:
            return _positive_int(value, strict=True, cutoff=self.max_page_size)
        except ValueError:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A positive whole number is required.")]}
            ) from None
