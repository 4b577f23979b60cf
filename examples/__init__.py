"""Runnable examples of restflow."""
