"""Embedded mode (`servicecenter serve`, `make demo`): SQLite under var/, tasks in-process, DEBUG off.

Meant for a single machine on an intranet; DEBUG stays off so that errors never show tracebacks to users
(set DEBUG=1 to debug). Developers running `manage.py runserver` use settings.dev instead.
"""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", default=False)
