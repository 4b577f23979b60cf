"""Pagination for memory resources: the core's page-number and limit/offset paginators."""

from restflow_core.pagination import LimitOffsetPagination, PageNumberPagination, positive_int

__all__ = ["LimitOffsetPagination", "PageNumberPagination", "positive_int"]
