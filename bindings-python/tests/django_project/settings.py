"""The smallest Django project for mailwright's e-mail backend tests, run by
tests/test_django.py as `python -m django test mail_tests` against the local
Haraka it started (its port, CA and store come in the environment)."""
import os

SECRET_KEY = "mailwright-django-tests"
INSTALLED_APPS = []
DATABASES = {}
USE_TZ = True

# What a user writes (examples/python/django_settings.py). Django's test runner
# swaps EMAIL_BACKEND for its in-memory one: the tests put it back with
# override_settings.
EMAIL_BACKEND = "mailwright.django.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["MW_HARAKA_PORT"])
EMAIL_HOST_USER = "api_user"
EMAIL_HOST_PASSWORD = "api_key"
EMAIL_USE_TLS = True
EMAIL_TIMEOUT = 20
MAILWRIGHT_LABEL = "12345"
MAILWRIGHT_RATE = (200, 1)
MAILWRIGHT_CONNECTIONS = 2
MAILWRIGHT_CA_FILE = os.environ["MW_HARAKA_CA"]
