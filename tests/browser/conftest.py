"""Browser tests use the session-wide Playwright fixtures of tests/browser_support.py (loaded by tests/conftest.py)."""
