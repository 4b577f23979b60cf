"""restflow's Django adapter: async DRF views, serializers and pagination.

Nothing is imported here, so the package can be imported before Django's settings are.
"""

__all__: list[str] = []
