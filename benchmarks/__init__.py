"""restflow's benchmarks: the same API through restflow, adrf, DRF, django-ninja and raw Django."""
