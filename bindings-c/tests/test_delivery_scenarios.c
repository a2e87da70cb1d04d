/* The shared delivery scenarios (testdata/delivery/scenarios.json, turned
 * into a C table by gen_vectors.py) through mw_mailer against the
 * misbehaving server: each case starts `badsmtp.py SERVER`, makes a mailer
 * with the case's merged options, builds the message through the public
 * API, submits it `messages` times before waiting for any outcome, checks
 * every member of `expect` against every outcome and the counters once all
 * are in, then closes the mailer and the server. The cases run at once, one
 * thread each (each with its own server, started before the threads, and
 * its own mailer), so the run takes as
 * long as the slowest case. Fails if it ran fewer cases than the file holds
 * (counted from the file itself at run time), and names the case and the
 * member on a mismatch. */
#include <mailwright.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_vectors.h"
#include "build_vector.h"
#include "bad_server.h"

typedef struct {
    const mw_delivery_case *c;
    bad_server server;
    char report[8192];
    size_t used;
    int failures;
    int ran;
} case_run;

static void fail(case_run *r, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    r->failures++;
    if (r->used < sizeof r->report - 1) {
        int n = snprintf(r->report + r->used, sizeof r->report - r->used, "%s: ", r->c->name);
        if (n > 0) r->used += (size_t)n;
    }
    if (r->used < sizeof r->report - 1) {
        int n = vsnprintf(r->report + r->used, sizeof r->report - r->used, fmt, args);
        if (n > 0) r->used += (size_t)n;
    }
    if (r->used < sizeof r->report - 1) r->report[r->used++] = '\n';
    if (r->used >= sizeof r->report) r->used = sizeof r->report - 1;
    r->report[r->used] = 0;
    va_end(args);
}

/* One "mailer" member of the file, mapped to the C option of that meaning. */
static mw_result apply(const mw_test_option *o, mw_client_options *client, mw_delivery_options *d) {
    const char *k = o->key;
    uint64_t n = (uint64_t)o->number;
    if (!strcmp(k, "tls")) {
        mw_tls_mode mode;
        mw_result rc = mw_tls_mode_from_name(o->text, strlen(o->text), &mode);
        return rc != MW_OK ? rc : mw_client_options_set_tls(client, mode);
    }
    if (!strcmp(k, "timeout_ms")) return mw_client_options_set_timeout_ms(client, n);
    if (!strcmp(k, "connections")) return mw_delivery_options_set_connections(d, (size_t)n);
    if (!strcmp(k, "max_attempts")) return mw_delivery_options_set_max_attempts(d, (uint32_t)n);
    if (!strcmp(k, "initial_backoff_ms")) return mw_delivery_options_set_initial_backoff_ms(d, n);
    if (!strcmp(k, "max_backoff_ms")) return mw_delivery_options_set_max_backoff_ms(d, n);
    if (!strcmp(k, "deadline_ms")) return mw_delivery_options_set_deadline_ms(d, n);
    if (!strcmp(k, "rate_limited_pause_ms")) return mw_delivery_options_set_rate_limited_pause_ms(d, n);
    if (!strcmp(k, "idle_timeout_ms")) return mw_delivery_options_set_idle_timeout_ms(d, n);
    if (!strcmp(k, "messages_per_connection")) return mw_delivery_options_set_messages_per_connection(d, (size_t)n);
    if (!strcmp(k, "queue_capacity")) return mw_delivery_options_set_queue_capacity(d, (size_t)n);
    if (!strcmp(k, "at_least_once")) return mw_delivery_options_set_at_least_once(d, n != 0);
    if (!strcmp(k, "rate") && o->text) return mw_delivery_options_set_rate_name(d, o->text, strlen(o->text));
    return MW_ERR_INVALID_ARGUMENT; /* a member this runner does not know: the case fails */
}

static const char *show(const char *s) { return s ? s : "(null)"; }

static void check_list(case_run *r, const char *member, const char *const *want, size_t want_n, const mw_outcome *o,
                       int refused) {
    size_t got_n = refused ? mw_outcome_refused_count(o) : mw_outcome_accepted_count(o);
    if (got_n != want_n) {
        fail(r, "ticket %llu: %s: expected %zu addresses, got %zu", (unsigned long long)mw_outcome_ticket(o), member,
             want_n, got_n);
        return;
    }
    for (size_t i = 0; i < want_n; i++) {
        uint16_t code = 0;
        const char *got = refused ? mw_outcome_refused(o, i, &code) : mw_outcome_accepted(o, i);
        if (!got || strcmp(got, want[i]) != 0)
            fail(r, "%s[%zu]: expected %s, got %s", member, i, want[i], show(got));
        if (refused && (code < 400 || code > 599)) fail(r, "%s[%zu]: reply code %u", member, i, code);
    }
}

static void check_outcome(case_run *r, const mw_outcome *o) {
    const mw_delivery_case *c = r->c;
    unsigned long long t = (unsigned long long)mw_outcome_ticket(o);
    const char *kind = mw_outcome_kind_name(mw_outcome_get_kind(o));
    if (c->outcome && strcmp(show(kind), c->outcome) != 0)
        fail(r, "ticket %llu: outcome: expected %s, got %s (%s)", t, c->outcome, show(kind),
             show(mw_outcome_error_message(o)));
    mw_result error = mw_outcome_error(o);
    if (c->has_error) {
        const char *got = error == MW_OK ? NULL : mw_result_kind_name(error);
        int same = c->error ? (got && !strcmp(got, c->error)) : error == MW_OK;
        if (!same) fail(r, "ticket %llu: error: expected %s, got %s (%s)", t, show(c->error), show(got),
                        show(mw_outcome_error_message(o)));
    }
    /* A failed or uncertain outcome always says why; a delivered one never has an error. */
    if ((error == MW_OK) != (mw_outcome_get_kind(o) == MW_OUTCOME_DELIVERED) ||
        (error != MW_OK) != (mw_outcome_error_message(o) != NULL))
        fail(r, "ticket %llu: error %s does not fit the outcome %s", t, mw_result_name(error), show(kind));
    if (c->attempts >= 0 && mw_outcome_attempts(o) != (uint32_t)c->attempts)
        fail(r, "ticket %llu: attempts: expected %lld, got %u", t, c->attempts, mw_outcome_attempts(o));
    if (c->gave_up >= 0 && (int)mw_outcome_gave_up(o) != c->gave_up)
        fail(r, "ticket %llu: gave_up: expected %d, got %d", t, c->gave_up, (int)mw_outcome_gave_up(o));
    if (c->has_queue_id) {
        const char *got = mw_outcome_queue_id(o);
        int same = c->queue_id ? (got && !strcmp(got, c->queue_id)) : got == NULL;
        if (!same) fail(r, "ticket %llu: queue_id: expected %s, got %s", t, show(c->queue_id), show(got));
    }
    if (c->has_accepted) check_list(r, "accepted", c->accepted, c->accepted_count, o, 0);
    if (c->has_refused) check_list(r, "refused", c->refused, c->refused_count, o, 1);
}

static int counter(const mw_counters *k, const char *name, uint64_t *out) {
    if (!strcmp(name, "delivered")) *out = k->delivered;
    else if (!strcmp(name, "failed")) *out = k->failed;
    else if (!strcmp(name, "uncertain")) *out = k->uncertain;
    else if (!strcmp(name, "retries")) *out = k->retries;
    else if (!strcmp(name, "rate_limited")) *out = k->rate_limited;
    else if (!strcmp(name, "queued")) *out = k->queued;
    else if (!strcmp(name, "in_flight")) *out = k->in_flight;
    else if (!strcmp(name, "connections")) *out = k->connections;
    else return 0;
    return 1;
}

static void *run_case(void *arg) {
    case_run *r = arg;
    const mw_delivery_case *c = r->c;
    const bad_server s = r->server;
    if (s.port == 0) {
        fail(r, "the server %s did not start", c->server);
        return NULL;
    }
    mw_client_options *client = NULL;
    mw_delivery_options *delivery = NULL;
    mw_mailer *mailer = NULL;
    mw_message *message = NULL;
    if (mw_client_options_new("127.0.0.1", 9, &client) != MW_OK || mw_client_options_set_port(client, s.port) != MW_OK ||
        mw_delivery_options_new(&delivery) != MW_OK) {
        fail(r, "options: %s", show(mw_last_error_message()));
        goto done;
    }
    for (size_t i = 0; i < c->option_count; i++) {
        if (apply(&c->options[i], client, delivery) != MW_OK) {
            fail(r, "mailer option %s refused: %s", c->options[i].key, show(mw_last_error_message()));
            goto done;
        }
    }
    if (mw_build_vector(&MW_DELIVERY_MESSAGE, &message) != MW_OK) {
        fail(r, "message: %s", show(mw_last_error_message()));
        goto done;
    }
    if (mw_mailer_new(client, delivery, &mailer) != MW_OK) {
        fail(r, "mw_mailer_new: %s", show(mw_last_error_message()));
        goto done;
    }
    size_t count = (size_t)c->messages;
    uint64_t *tickets = calloc(count, sizeof *tickets);
    for (size_t i = 0; i < count; i++) {
        if (mw_mailer_submit(mailer, message, &tickets[i]) != MW_OK)
            fail(r, "submit %zu: %s", i, show(mw_last_error_message()));
    }
    size_t outcomes = 0;
    for (size_t i = 0; i < count; i++) {
        mw_outcome *o = NULL;
        if (tickets[i] == 0) continue;
        if (mw_mailer_wait(mailer, tickets[i], &o) != MW_OK) {
            fail(r, "wait %llu: %s", (unsigned long long)tickets[i], show(mw_last_error_message()));
            continue;
        }
        outcomes++;
        if (mw_outcome_ticket(o) != tickets[i]) fail(r, "wait %llu gave ticket %llu", (unsigned long long)tickets[i],
                                                    (unsigned long long)mw_outcome_ticket(o));
        check_outcome(r, o);
        mw_outcome_free(o);
    }
    if (outcomes != count) fail(r, "%zu outcomes for %zu messages", outcomes, count);
    free(tickets);
    mw_counters k;
    if (mw_mailer_counters(mailer, &k) != MW_OK) fail(r, "counters: %s", show(mw_last_error_message()));
    for (size_t i = 0; i < c->counter_count; i++) {
        const mw_test_counter *want = &c->counters[i];
        uint64_t got = 0;
        if (!counter(&k, want->name, &got)) {
            fail(r, "counters.%s: unknown to this runner", want->name);
        } else if (want->at_least ? got < (uint64_t)want->value : got != (uint64_t)want->value) {
            fail(r, "counters.%s%s: expected %lld, got %llu", want->name, want->at_least ? "_at_least" : "", want->value,
                 (unsigned long long)got);
        }
    }
    if (mw_mailer_close(mailer) != MW_OK) fail(r, "close: %s", show(mw_last_error_message()));
    r->ran = 1;
done:
    mw_mailer_free(mailer);
    mw_message_free(message);
    mw_delivery_options_free(delivery);
    mw_client_options_free(client);
    return NULL;
}

/* The number of cases in the file, read by Python's json (independently of
 * the generated table); -1 if it cannot be read. */
static long cases_in_file(void) {
    FILE *p = popen("python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[\"cases\"]))' "
                    MW_TESTDATA "/delivery/scenarios.json", "r");
    long n = -1;
    if (!p) return -1;
    if (fscanf(p, "%ld", &n) != 1) n = -1;
    pclose(p);
    return n;
}

int main(void) {
    (void)mw_count_files; /* the cases are counted in one file, by cases_in_file */
    size_t n = MW_DELIVERY_CASES_COUNT;
    case_run *runs = calloc(n, sizeof *runs);
    pthread_t *threads = calloc(n, sizeof *threads);
    /* The servers are started here, before any thread (no fork from a threaded process). */
    bad_launch *launched = calloc(n, sizeof *launched);
    for (size_t i = 0; i < n; i++) launched[i] = launch(MW_DELIVERY_CASES[i].server);
    for (size_t i = 0; i < n; i++) {
        runs[i].c = &MW_DELIVERY_CASES[i];
        runs[i].server = await_port(launched[i], runs[i].c->server);
    }
    free(launched);
    for (size_t i = 0; i < n; i++) {
        if (pthread_create(&threads[i], NULL, run_case, &runs[i]) != 0) {
            fail(&runs[i], "cannot start a thread");
            threads[i] = 0;
        }
    }
    size_t passed = 0, failed = 0, ran = 0;
    for (size_t i = 0; i < n; i++) {
        if (threads[i]) pthread_join(threads[i], NULL);
        stop_soon(&runs[i].server);
        ran += (size_t)runs[i].ran;
        if (runs[i].failures == 0 && runs[i].ran) {
            passed++;
        } else {
            failed++;
            fputs(runs[i].report, stderr);
        }
    }
    for (size_t i = 0; i < n; i++) stop(&runs[i].server); /* all stopping at once */
    free(runs);
    free(threads);
    printf("delivery scenarios: %zu passed, %zu failed\n", passed, failed);
    long in_file = cases_in_file();
    if (ran == 0 || (long)ran != in_file) {
        fprintf(stderr, "ran %zu delivery scenarios but testdata/delivery/scenarios.json holds %ld\n", ran, in_file);
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
