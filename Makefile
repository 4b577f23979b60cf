# Shortcuts for dev.py, which does the real work and needs nothing but Python.
.PHONY: demo test check
demo:
	python3 dev.py demo
test check:
	python3 dev.py test
