"""The benchmark's models and one module of views per stack."""
