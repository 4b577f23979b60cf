"""The shop's catalog: categories, products and reviews."""
