"""behaviour tests (see tests/conftest.py for fixtures)."""
