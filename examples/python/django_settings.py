"""Django settings for sending through mailwright (copy into your settings.py).

Django's send_mail(), send_mass_mail(), EmailMessage.send() and the mails of
django.contrib.auth then go out through one mailwright Mailer per backend
(a pool of connections, the rate, retries), as the bytes Django makes, with
Bcc only in the envelope. The backend's tests (bindings-python/tests/
django_project) use the same settings against a local relay.
"""
import os

EMAIL_BACKEND = "mailwright.django.EmailBackend"
EMAIL_HOST = "smtp.sendcloud.net"
EMAIL_PORT = 2525
EMAIL_HOST_USER = os.environ.get("SENDCLOUD_API_USER", "api_user")
EMAIL_HOST_PASSWORD = os.environ.get("SENDCLOUD_API_KEY", "")
EMAIL_USE_TLS = True  # STARTTLS; or EMAIL_USE_SSL = True for TLS from the first byte (not both)
EMAIL_TIMEOUT = 30  # seconds, for each reply; leave it out for the core's default

# mailwright's own settings (all optional):
MAILWRIGHT_LABEL = "12345"  # SendCloud label: the login becomes api_user#12345
MAILWRIGHT_RATE = "sendcloud"  # SendCloud's quota (the core's numbers), or (messages, per_seconds)
MAILWRIGHT_CONNECTIONS = 4  # the Mailer's pool
MAILWRIGHT_OPTIONS = {"max_attempts": 5, "deadline": 600}  # any other Mailer keyword
# A ledger: each message recorded under message.mailwright_key (or its
# Message-ID) and sent once, even when a task is retried or a worker dies.
# MAILWRIGHT_LEDGER = "/var/lib/myproject/mail-ledger.db"

# Several workers (gunicorn, celery) sending for one api_user share its quota
# through Redis: an object with acquire(), or its dotted path, e.g. a module
# myproject/mail.py holding
#     QUOTA = mailwright.limits.SharedQuota(os.environ["REDIS_URL"], "api_user", rate="sendcloud")
# MAILWRIGHT_LIMITER = "myproject.mail.QUOTA"
