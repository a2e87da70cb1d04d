"""Runs examples/python/celery (the Celery app over mailwright) against the relay
simulator and a throw-away Redis, for tests/test_celery.py and for measuring:

    python tests/celery_run.py measure     # 6,000 messages with 1, 2, 3 workers and without Celery

Each worker is `celery -A mailapp worker --pool threads` in its own process
(one process, many threads: SIGKILL on it loses the whole worker). The jobs
are sent with their own ids, so each message's Message-ID is known; the
results are read from the result backend (Redis) as they arrive.
"""
import collections
import contextlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from relay import REPO, most_in_any_window, redis_server, relay_log, relaysim  # noqa: E402

EXAMPLE = REPO / "examples" / "python" / "celery"
sys.path.insert(0, str(EXAMPLE))
import mailapp  # noqa: E402  (for lost_jobs only: its app is not used here)
SENDER = "support@ifaxin.com"
API_USER = "api_user"
DOMAIN = "mail.ifaxin.com"
# Longer than any job can take (a job waits at most about one shared window for
# the quota), short enough that a killed worker's jobs come back within the test.
VISIBILITY_TIMEOUT = 20


def worker_env(redis_uri, relay_port, rate, connections):
    return dict(os.environ, MAILWRIGHT_REDIS_URL=redis_uri, MAILWRIGHT_RELAY_HOST="127.0.0.1",
                MAILWRIGHT_RELAY_PORT=str(relay_port), MAILWRIGHT_TLS="none", MAILWRIGHT_API_USER=API_USER,
                MAILWRIGHT_RATE=rate, MAILWRIGHT_CONNECTIONS=str(connections),
                MAILWRIGHT_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), MAILWRIGHT_MESSAGE_ID_DOMAIN=DOMAIN,
                PYTHONPATH=str(EXAMPLE))


def start_worker(name, env, concurrency, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mailapp", "worker", "--pool", "threads",
         "--concurrency", str(concurrency), "--prefetch-multiplier", "1", "-n", f"{name}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=EXAMPLE, env=env, stdout=log, stderr=subprocess.STDOUT)


def client(redis_uri):
    from celery import Celery
    app = Celery("producer", broker=redis_uri, backend=redis_uri)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT})
    return app


def wait_for_workers(app, names, procs, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"a worker exited with {p.returncode} before it was ready")
        replies = app.control.ping(timeout=0.5) or []
        up = {name.split("@")[0] for reply in replies for name in reply}
        if set(names) <= up:
            return
    raise RuntimeError("the workers did not answer a ping")


def read_results(redis, ids):
    """{task id: result dict} of the jobs whose result is stored."""
    done = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for task_id, raw in zip(chunk, redis.mget([f"celery-task-meta-{i}" for i in chunk])):
            if raw is not None:
                meta = json.loads(raw)
                done[task_id] = meta
    return done


def jobs_in_redis(redis, queue="celery"):
    """Jobs waiting in the queue (one list per priority step) or held by a worker (unacknowledged)."""
    lists = [queue] + [f"{queue}\x06\x16{step}" for step in range(1, 10)]
    return sum(redis.llen(key) for key in lists) + redis.hlen("unacked")


def run(workdir, workers=3, count=6000, quota=2000, window_s=10, rtt_ms=50, concurrency=80, connections=40,
        kill_after=None, limit=110):
    """One run; returns what the checks need (see tests/test_celery.py)."""
    import redis as redis_module

    workdir = pathlib.Path(workdir)
    log = workdir / "relay.log"
    tag = uuid.uuid4().hex[:8]
    with contextlib.ExitStack() as stack:
        uri = stack.enter_context(redis_server(workdir))
        port, relay = stack.enter_context(relaysim("--rtt-ms", str(rtt_ms), "--quota", str(quota),
                                                   "--window-s", str(window_s), "--log", str(log)))
        relay_started = time.time()  # about when the relay's log starts (its times are ms since then)
        env = worker_env(uri, port, f"{quota}/{window_s}", connections)
        names = [f"w{i}" for i in range(workers)]
        logs = [stack.enter_context(open(workdir / f"{name}.log", "wb")) for name in names]
        procs = [start_worker(name, env, concurrency, out) for name, out in zip(names, logs)]
        try:
            app = client(uri)
            wait_for_workers(app, names, procs)
            redis = redis_module.Redis.from_url(uri)
            ids = [f"{tag}-{n:05d}" for n in range(count)]
            jobs = {task_id: [SENDER, [f"user{n}@ifaxin.com"], f"job {n}", "hello"] for n, task_id in enumerate(ids)}
            started = time.monotonic()
            with app.producer_or_acquire() as producer:
                for task_id, args in jobs.items():
                    app.send_task("mailapp.send_mail", args=args, task_id=task_id, producer=producer)
            enqueued = time.monotonic() - started
            killed = None
            results = {}
            resubmitted = []
            suspects = set()
            next_sweep = None
            deadline = started + limit
            # Done when every job has a result and Redis holds no job any more,
            # and, after a kill, once every job the killed worker held has been
            # given back (visibility_timeout): a job that had stored its result
            # but was not acknowledged runs again, and its second result is the
            # one to check (read again below, once every worker has stopped).
            while (len(results) < count or jobs_in_redis(redis)
                   or (killed is not None and time.monotonic() < killed["monotonic"] + VISIBILITY_TIMEOUT + 3)):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(results)} of {count} results after {limit} s, "
                                       f"{jobs_in_redis(redis)} jobs still in Redis")
                time.sleep(0.2)
                results = read_results(redis, ids)
                if kill_after is not None and killed is None and len(results) >= kill_after:
                    procs[0].send_signal(signal.SIGKILL)
                    procs[0].wait()
                    killed = {"worker": names[0], "after_results": len(results),
                              "at_s": round(time.monotonic() - started, 2), "monotonic": time.monotonic()}
                    next_sweep = time.monotonic() + 2
                if next_sweep is not None and time.monotonic() >= next_sweep:
                    # The producer's sweep after a lost worker (mailapp.lost_jobs):
                    # a job lost twice in a row, 2 s apart, is published again.
                    lost = mailapp.lost_jobs(redis, ids)
                    for task_id in sorted(lost & suspects):
                        app.send_task("mailapp.send_mail", args=jobs[task_id], kwargs={"resubmitted": True},
                                      task_id=task_id)
                        resubmitted.append(task_id)
                    suspects = lost - set(resubmitted)
                    next_sweep = time.monotonic() + 2
            elapsed = time.monotonic() - started
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)  # warm shutdown: the worker closes its Mailer
            for p in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        # Every worker has stopped (a warm shutdown finishes the jobs it runs):
        # the results now are the last ones.
        results = read_results(redis, ids)
        left = jobs_in_redis(redis)
    events = relay_log(log)
    return {
        "ids": ids,
        "results": results,
        "events": events,
        "summary": relay.summary,
        "elapsed_s": round(elapsed, 2),
        "enqueue_s": round(enqueued, 2),
        "killed": killed,
        "resubmitted": resubmitted,
        "left_in_redis": left,
        "relay_started": relay_started,
        "exit_codes": [p.returncode for p in procs],
        "quota": quota,
        "window_ms": window_s * 1000,
    }


def message_id(task_id):
    return f"{task_id}@{DOMAIN}"


def relay_ids(events):
    """How often the relay accepted each Message-ID (angle brackets dropped)."""
    return collections.Counter((i or "").strip("<>") for i in events["ids"])


def single_process(workdir, count=6000, quota=2000, window_s=10, rtt_ms=50, connections=40):
    """The same messages through one mailwright.Mailer, without Celery (same quota, same limiter)."""
    import mailwright
    from mailwright.limits import SharedQuota

    workdir = pathlib.Path(workdir)
    with redis_server(workdir) as uri, relaysim("--rtt-ms", str(rtt_ms), "--quota", str(quota),
                                                "--window-s", str(window_s)) as (port, relay):
        rate = mailwright.Rate(quota, window_s)
        batch = [mailwright.Message(SENDER, to=[f"user{n}@ifaxin.com"], subject=f"job {n}", text="hello")
                 for n in range(count)]
        started = time.monotonic()
        with mailwright.Mailer("127.0.0.1", port, tls="none", connections=connections, rate=rate,
                               limiter=SharedQuota(uri, API_USER, rate=rate)) as mailer:
            outcomes = mailer.send_many(batch)
        elapsed = time.monotonic() - started
    return {"elapsed_s": round(elapsed, 2), "kinds": collections.Counter(o.kind for o in outcomes),
            "summary": relay.summary.strip()}


def measure():
    for workers in (1, 2, 3):
        with tempfile.TemporaryDirectory() as tmp:
            r = run(tmp, workers=workers, limit=300)
            kinds = collections.Counter(m["result"]["kind"] for m in r["results"].values())
            print(json.dumps({"workers": workers, "elapsed_s": r["elapsed_s"], "enqueue_s": r["enqueue_s"],
                              "kinds": kinds, "most_in_window": most_in_any_window(r["events"]["D"], r["window_ms"]),
                              "summary": r["summary"].strip()}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps({"single_process_mailer": single_process(tmp)}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        sys.exit(__doc__)
