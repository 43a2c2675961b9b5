"""Base viewsets every API resource builds on: authentication and conditional requests."""

from rest_framework import permissions, viewsets

from .conditional import ConditionalMixin
from .filters import DetailFiltersMixin


class ReadOnlyViewSet(DetailFiltersMixin, ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data: every signed-in user reads; changes go through the admin."""

    permission_classes = [permissions.IsAuthenticated]
