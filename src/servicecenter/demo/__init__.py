"""The demo data set of `servicecenter demo` / `manage.py load_demo` (not a Django app: plain modules).

`spec` holds the data, `loader.load_demo()` loads it through the real services, `report` formats the logins.
"""
