"""The demo shop: a small but real restflow API (`python3 dev.py demo`)."""
