"""A Celery app that sends mail through mailwright: one ``send_mail`` task,
one long-lived ``mailwright.Mailer`` per worker process, one quota shared by
every worker through Redis.

    celery -A mailapp worker --pool threads --concurrency 80 --prefetch-multiplier 1

Configuration (environment variables, read when this module is imported):

- ``MAILWRIGHT_REDIS_URL``: the broker, the result backend and the shared
  quota's store (``redis://127.0.0.1:6379/0``): Redis is the only state the
  workers share.
- ``MAILWRIGHT_RELAY_HOST``, ``MAILWRIGHT_RELAY_PORT``, ``MAILWRIGHT_TLS``
  (``starttls``, ``implicit``, ``none``), ``MAILWRIGHT_API_USER``,
  ``MAILWRIGHT_API_KEY``, ``MAILWRIGHT_LABEL``: where and as whom to send.
- ``MAILWRIGHT_RATE``: ``sendcloud`` or ``MESSAGES/SECONDS`` (``2000/10``):
  the api_user's quota, kept by every process together (``SharedQuota`` on
  Redis, keyed by the api_user) and by each process's own pacing.
- ``MAILWRIGHT_CONNECTIONS``: connections of each process's pool (16).
- ``MAILWRIGHT_VISIBILITY_TIMEOUT``: seconds after which a job taken by a
  worker that has not acknowledged it goes back to the queue (the Redis
  transport's ``visibility_timeout``; 300). It must be longer than any job
  can take (its wait for the quota included), or a slow job runs twice.

Delivery guarantees (see README.md): a job is acknowledged after it ran
(``acks_late``), so a worker that dies loses none: Redis gives its jobs to
another worker after ``visibility_timeout``; the job's Message-ID is made
from the job id, so a job run twice is visible as such at the relay and in
its result (``redelivered``). A message whose fate is unknown (the
connection was lost after its data went out) is an ``uncertain`` result and
is never sent again by this app.
"""
from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Dict, Iterable, List, Optional, Set

from celery import Celery, signals

import mailwright
from mailwright.limits import SharedQuota

REDIS_URL = os.environ.get("MAILWRIGHT_REDIS_URL", "redis://127.0.0.1:6379/0")
VISIBILITY_TIMEOUT = float(os.environ.get("MAILWRIGHT_VISIBILITY_TIMEOUT", "300"))
#: The domain of the Message-IDs this app makes (``<job id>@MESSAGE_ID_DOMAIN``).
MESSAGE_ID_DOMAIN = os.environ.get("MAILWRIGHT_MESSAGE_ID_DOMAIN", "mail.ifaxin.com")

app = Celery("mailapp", broker=REDIS_URL, backend=REDIS_URL)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # At-least-once jobs: acknowledged once the task has returned, and put
    # back in the queue when the worker running it is lost.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # A job given again whose first run already stored its result (the
    # worker died between storing it and acknowledging the job) is not run
    # again: its message went out. (Celery never overwrites a SUCCESS result
    # anyway, so a second run's result would be lost.)
    worker_deduplicate_successful_tasks=True,
    # Each worker takes from Redis only as many jobs as it runs at once, so
    # a killed worker holds few, and no job waits in a worker's buffer while
    # the visibility timeout runs.
    worker_prefetch_multiplier=1,
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # Look for jobs of lost workers every second, not every 100 s.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
    result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


def _rate() -> Any:
    text = os.environ.get("MAILWRIGHT_RATE", "sendcloud")
    if "/" in text:
        messages, seconds = text.split("/", 1)
        return mailwright.Rate(int(messages), float(seconds))
    return mailwright.Rate.preset(text)


_lock = threading.Lock()
_mailer: Optional[mailwright.Mailer] = None


def mailer() -> mailwright.Mailer:
    """This process's Mailer, made on first use (after the worker forked, if
    it does) and kept until the worker stops: its connections stay open
    from one job to the next, and every thread of the pool shares it."""
    global _mailer
    with _lock:
        if _mailer is None:
            env = os.environ
            api_user = env.get("MAILWRIGHT_API_USER", "api_user")
            api_key = env.get("MAILWRIGHT_API_KEY")
            rate = _rate()
            credentials = (mailwright.Credentials(api_user, api_key, label=env.get("MAILWRIGHT_LABEL") or None)
                           if api_key else None)
            _mailer = mailwright.Mailer(
                env.get("MAILWRIGHT_RELAY_HOST", "127.0.0.1"),
                int(env.get("MAILWRIGHT_RELAY_PORT", "2525")),
                tls=env.get("MAILWRIGHT_TLS", "starttls"),  # type: ignore[arg-type]
                credentials=credentials,
                connections=int(env.get("MAILWRIGHT_CONNECTIONS", "16")),
                rate=rate,
                # The api_user's quota, counted in Redis for every worker.
                limiter=SharedQuota(REDIS_URL, key=api_user, rate=rate),
            )
        return _mailer


@signals.worker_process_shutdown.connect
@signals.worker_shutdown.connect
def close_mailer(**_: Any) -> None:
    """Sends what the Mailer still holds, then closes its connections."""
    global _mailer
    with _lock:
        mailer, _mailer = _mailer, None
    if mailer is not None:
        mailer.close()


@app.task(bind=True, name="mailapp.send_mail", acks_late=True, reject_on_worker_lost=True)
def send_mail(self: Any, sender: str, to: List[str], subject: str, text: str,
              resubmitted: bool = False) -> Dict[str, Any]:
    """Sends one message; its outcome is the task's result. A failed or
    uncertain message is a result too, never an exception and never retried
    here: an uncertain one may have been delivered. ``resubmitted``: the job
    was published again by :func:`lost_jobs`'s caller (same id)."""
    message_id = f"{self.request.id}@{MESSAGE_ID_DOMAIN}"
    message = mailwright.Message(sender, to=to, subject=subject, text=text, message_id=message_id)
    started = time.time()
    outcome = mailer().send(message)
    return {
        "kind": outcome.kind,
        "queue_id": outcome.queue_id,
        "refused": [[address, reply.code, reply.text] for address, reply in outcome.refused],
        "error_kind": outcome.error.kind if outcome.error is not None else None,
        "attempts": outcome.attempts,
        "message_id": message_id,
        # True when Redis gave this job again after the worker that had it
        # was lost (kombu sets it when it restores an unacknowledged job).
        "redelivered": bool((self.request.delivery_info or {}).get("redelivered")),
        "resubmitted": resubmitted,
        "worker": self.request.hostname,
        # When this run began and ended (seconds since the epoch).
        "started": started,
        "finished": time.time(),
    }


def _job_id(payload: Any) -> Optional[str]:
    try:
        message = json.loads(payload)
        if isinstance(message, list):  # an unacknowledged job: [message, exchange, routing key]
            message = message[0]
        return str(message["headers"]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def lost_jobs(redis: Any, task_ids: Iterable[str], queue: str = "celery") -> Set[str]:
    """The jobs of ``task_ids`` that are nowhere: not waiting in ``queue``,
    not held by a worker (Redis's unacknowledged set), without a result.

    Why: kombu's Redis transport takes a job from the queue (BRPOP) and then,
    in a second command, records it as unacknowledged. A worker killed
    between the two loses the job: Redis no longer has it, and it never ran
    (kombu issue 305). A producer that must lose nothing publishes such jobs
    again with the same id (so the same Message-ID): call this twice a few
    seconds apart and resubmit the jobs found both times (a live worker
    holds a job in neither place only for an instant)."""
    ids = set(task_ids)
    present: Set[str] = set()
    # The queue's lists: one per priority step (kombu names them queue,
    # queue + "\x06\x16" + step).
    for key in [queue] + [f"{queue}\x06\x16{step}" for step in range(1, 10)]:
        present.update(filter(None, map(_job_id, redis.lrange(key, 0, -1))))
    present.update(filter(None, map(_job_id, redis.hvals("unacked"))))
    missing = sorted(ids - present)
    for start in range(0, len(missing), 1000):
        chunk = missing[start:start + 1000]
        found = redis.mget([f"celery-task-meta-{i}" for i in chunk])
        present.update(i for i, raw in zip(chunk, found) if raw is not None)
    return ids - present
