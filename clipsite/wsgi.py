"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipsite.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: the middleware module uses the API's error helpers.
from clipsite.middleware import close_unread_bodies  # noqa: E402

application = close_unread_bodies(django_application)
