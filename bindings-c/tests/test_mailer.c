/* mw_mailer, the core's blocking delivery driver: outcomes by poll and wait
 * and by callback; many threads submitting and sending; close draining,
 * abort failing what a rate holds back; free without close; every misuse (NULL
 * for each pointer, submit after close, the waiting calls from inside a
 * callback, tickets that are unknown or already taken) with its code; the
 * delivery options' checks; and a pool over STARTTLS to the local Haraka
 * (started by run-tests.sh) with a label, every message checked in Haraka's
 * store. The misbehaving server ("ok" scenario) stands in for a relay
 * elsewhere. */
#include <mailwright.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bad_server.h"

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static int checks = 0, failures = 0;
#define CHECK(cond)                                                                                              \
    do {                                                                                                         \
        int ok_ = (cond) ? 1 : 0;                                                                                \
        pthread_mutex_lock(&check_lock);                                                                         \
        checks++;                                                                                                \
        if (!ok_) {                                                                                              \
            failures++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond,             \
                    mw_last_error_message() ? mw_last_error_message() : "none");                                 \
        }                                                                                                        \
        pthread_mutex_unlock(&check_lock);                                                                       \
    } while (0)
#define EXPECT(call, code) CHECK((call) == (code))

#define MAX_TICKETS 4096

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static mw_message *message(const char *subject) {
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "Support <support@ifaxin.com>");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_subject(b, subject);
    mw_message_builder_text(b, "hello\n.a line starting with a dot");
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    return m;
}

static const char RAW[] = "From: a@ifaxin.com\nTo: b@ifaxin.com\nSubject: raw\n\nraw body\n";
static const char *const RAW_RCPTS[] = {"b@ifaxin.com", "c@ifaxin.com"};

static mw_client_options *plain_options(int port) {
    mw_client_options *o = NULL;
    EXPECT(mw_client_options_new("127.0.0.1", 9, &o), MW_OK);
    EXPECT(mw_client_options_set_port(o, port), MW_OK);
    EXPECT(mw_client_options_set_tls(o, MW_TLS_NONE), MW_OK);
    EXPECT(mw_client_options_set_timeout_ms(o, 10000), MW_OK);
    return o;
}

static mw_mailer *plain_mailer(int port, size_t connections) {
    mw_client_options *o = plain_options(port);
    mw_delivery_options *d = NULL;
    EXPECT(mw_delivery_options_new(&d), MW_OK);
    EXPECT(mw_delivery_options_set_connections(d, connections), MW_OK);
    mw_mailer *m = NULL;
    EXPECT(mw_mailer_new(o, d, &m), MW_OK);
    mw_delivery_options_free(d); /* copied */
    mw_client_options_free(o);
    return m;
}

static int delivered_by_bad_server(const mw_outcome *o, size_t accepted) {
    return o && mw_outcome_get_kind(o) == MW_OUTCOME_DELIVERED && mw_outcome_error(o) == MW_OK &&
           mw_outcome_error_message(o) == NULL && mw_outcome_attempts(o) == 1 && !mw_outcome_gave_up(o) &&
           mw_outcome_queue_id(o) && strcmp(mw_outcome_queue_id(o), "BAD123") == 0 &&
           mw_outcome_accepted_count(o) == accepted && mw_outcome_refused_count(o) == 0;
}

/* The delivery options: the core's checks, the handle unchanged on refusal. */
static void test_delivery_options(void) {
    mw_delivery_options *d = NULL;
    EXPECT(mw_delivery_options_new(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_new(&d), MW_OK);
    size_t connections = mw_delivery_options_get_connections(d);
    uint32_t attempts = mw_delivery_options_get_max_attempts(d);
    uint64_t deadline = mw_delivery_options_get_deadline_ms(d);
    size_t capacity = mw_delivery_options_get_queue_capacity(d);
    CHECK(connections >= 1 && attempts >= 1 && deadline >= 1 && capacity >= 1 && !mw_delivery_options_has_rate(d));
    EXPECT(mw_delivery_options_set_connections(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_connections(d, 100000), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_max_attempts(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_deadline_ms(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_initial_backoff_ms(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_max_backoff_ms(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_rate_limited_pause_ms(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_idle_timeout_ms(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_idle_timeout_ms(d, (uint64_t)400 * 24 * 3600 * 1000), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_queue_capacity(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_messages_per_connection(d, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_rate(d, 0, 1000), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_rate(d, 100, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_rate_name(d, "fast", 4), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_rate_name(d, "sendcloud\0", 10), MW_ERR_INVALID_OPTION);
    EXPECT(mw_delivery_options_set_rate_name(d, "\xff", 1), MW_ERR_INVALID_UTF8);
    EXPECT(mw_delivery_options_set_rate_name(d, NULL, 9), MW_ERR_NULL_PARAMETER);
    /* Nothing refused changed anything. */
    CHECK(mw_delivery_options_get_connections(d) == connections && mw_delivery_options_get_max_attempts(d) == attempts);
    CHECK(mw_delivery_options_get_deadline_ms(d) == deadline && mw_delivery_options_get_queue_capacity(d) == capacity);
    CHECK(!mw_delivery_options_has_rate(d));
    EXPECT(mw_delivery_options_set_rate_name(d, "sendcloud", 9), MW_OK);
    CHECK(mw_delivery_options_has_rate(d));
    EXPECT(mw_delivery_options_set_rate(d, 5, 500), MW_OK);
    EXPECT(mw_delivery_options_set_connections(d, 8), MW_OK);
    EXPECT(mw_delivery_options_set_max_attempts(d, 2), MW_OK);
    EXPECT(mw_delivery_options_set_deadline_ms(d, 1500), MW_OK);
    EXPECT(mw_delivery_options_set_queue_capacity(d, 7), MW_OK);
    EXPECT(mw_delivery_options_set_messages_per_connection(d, 3), MW_OK);
    EXPECT(mw_delivery_options_set_unlimited_messages_per_connection(d), MW_OK);
    EXPECT(mw_delivery_options_set_at_least_once(d, true), MW_OK);
    EXPECT(mw_delivery_options_set_seed(d, 42), MW_OK);
    CHECK(mw_delivery_options_get_connections(d) == 8 && mw_delivery_options_get_max_attempts(d) == 2);
    CHECK(mw_delivery_options_get_deadline_ms(d) == 1500 && mw_delivery_options_get_queue_capacity(d) == 7);
    /* Every setter and getter with NULL. */
    EXPECT(mw_delivery_options_set_connections(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_rate(NULL, 1, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_rate_name(NULL, "sendcloud", 9), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_max_attempts(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_initial_backoff_ms(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_max_backoff_ms(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_deadline_ms(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_rate_limited_pause_ms(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_messages_per_connection(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_unlimited_messages_per_connection(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_idle_timeout_ms(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_queue_capacity(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_at_least_once(NULL, true), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_delivery_options_set_seed(NULL, 1), MW_ERR_NULL_PARAMETER);
    CHECK(mw_delivery_options_get_connections(NULL) == 0 && mw_delivery_options_get_max_attempts(NULL) == 0);
    CHECK(mw_delivery_options_get_deadline_ms(NULL) == 0 && mw_delivery_options_get_queue_capacity(NULL) == 0);
    CHECK(!mw_delivery_options_has_rate(NULL));
    mw_delivery_options_free(d);
    mw_delivery_options_free(NULL);

    /* The outcome kinds' names are the core's. */
    CHECK(strcmp(mw_outcome_kind_name(MW_OUTCOME_DELIVERED), "delivered") == 0);
    CHECK(strcmp(mw_outcome_kind_name(MW_OUTCOME_FAILED), "failed") == 0);
    CHECK(strcmp(mw_outcome_kind_name(MW_OUTCOME_UNCERTAIN), "uncertain") == 0);
    CHECK(mw_outcome_kind_name(3) == NULL && mw_outcome_kind_name(0xFFFFFFFFu) == NULL);
    /* Outcome accessors with NULL. */
    CHECK(mw_outcome_get_kind(NULL) == MW_OUTCOME_FAILED && mw_outcome_ticket(NULL) == 0);
    CHECK(mw_outcome_queue_id(NULL) == NULL && mw_outcome_accepted_count(NULL) == 0 && mw_outcome_accepted(NULL, 0) == NULL);
    CHECK(mw_outcome_refused_count(NULL) == 0 && mw_outcome_refused(NULL, 0, NULL) == NULL);
    CHECK(mw_outcome_refused_text(NULL, 0) == NULL && mw_outcome_attempts(NULL) == 0);
    CHECK(mw_outcome_uncertain_attempts(NULL) == 0 && !mw_outcome_gave_up(NULL));
    CHECK(mw_outcome_error(NULL) == MW_ERR_NULL_PARAMETER && mw_outcome_error_message(NULL) == NULL);
    CHECK(mw_outcome_error_smtp_code(NULL) == 0 && mw_outcome_error_reply_text(NULL) == NULL);
    mw_outcome *copy = NULL;
    EXPECT(mw_outcome_clone(NULL, &copy), MW_ERR_NULL_PARAMETER);
    mw_outcome_free(NULL);
}

/* Every misuse returns its code: NULL for each pointer, bad envelopes,
 * unknown and taken tickets, calls after close. */
static void test_misuse(int port) {
    mw_client_options *o = plain_options(port);
    mw_mailer *m = NULL;
    EXPECT(mw_mailer_new(NULL, NULL, &m), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_new(o, NULL, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(m == NULL);
    EXPECT(mw_mailer_new(o, NULL, &m), MW_OK); /* NULL delivery options: the core's defaults */
    mw_client_options_free(o);
    mw_message *msg = message("misuse");
    uint64_t ticket = 0;
    mw_outcome *out = NULL;
    mw_counters k;
    EXPECT(mw_mailer_submit(NULL, msg, &ticket), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_submit(m, NULL, &ticket), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_send(NULL, msg, &out), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_send(m, NULL, &out), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_send(m, msg, NULL), MW_ERR_NULL_PARAMETER);
    const uint8_t *raw = (const uint8_t *)RAW;
    size_t raw_len = sizeof RAW - 1;
    EXPECT(mw_mailer_submit_raw(NULL, raw, raw_len, "a@ifaxin.com", RAW_RCPTS, 2, &ticket), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_submit_raw(m, NULL, raw_len, "a@ifaxin.com", RAW_RCPTS, 2, &ticket), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, NULL, RAW_RCPTS, 2, &ticket), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "a@ifaxin.com", NULL, 2, &ticket), MW_ERR_NULL_PARAMETER);
    const char *const with_null[] = {"b@ifaxin.com", NULL};
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "a@ifaxin.com", with_null, 2, &ticket), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "a@ifaxin.com", NULL, 0, &ticket), MW_ERR_NO_RECIPIENTS);
    const char *const bad[] = {"not an address"};
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "a@ifaxin.com", bad, 1, &ticket), MW_ERR_INVALID_ADDRESS);
    const char *const injected[] = {"b@ifaxin.com>\r\nRCPT TO:<c@ifaxin.com"};
    CHECK(mw_mailer_submit_raw(m, raw, raw_len, "a@ifaxin.com", injected, 1, &ticket) != MW_OK);
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "\xff", RAW_RCPTS, 1, &ticket), MW_ERR_INVALID_UTF8);
    EXPECT(mw_mailer_send_raw(NULL, raw, raw_len, "a@ifaxin.com", RAW_RCPTS, 2, &out), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_send_raw(m, raw, raw_len, "a@ifaxin.com", RAW_RCPTS, 2, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_poll(NULL, &out), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_poll(m, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_wait(NULL, 1, &out), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_wait(m, 1, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_counters(NULL, &k), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_counters(m, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_set_callback(NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_close(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_abort(NULL), MW_ERR_NULL_PARAMETER);
    CHECK(out == NULL);
    /* Nothing was queued by the refused calls: no ticket 1 to wait for. */
    EXPECT(mw_mailer_wait(m, 1, &out), MW_ERR_INVALID_STATE);
    EXPECT(mw_mailer_wait(m, 0, &out), MW_ERR_INVALID_STATE);
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.queued == 0 && k.delivered == 0 && k.failed == 0 && k.connections == 0);

    /* A ticket can be taken once. An empty sender is the null reverse-path. */
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "", RAW_RCPTS, 1, &ticket), MW_OK);
    EXPECT(mw_mailer_wait(m, ticket, &out), MW_OK);
    CHECK(delivered_by_bad_server(out, 1) && mw_outcome_ticket(out) == ticket);
    mw_outcome_free(out);
    out = NULL;
    EXPECT(mw_mailer_wait(m, ticket, &out), MW_ERR_INVALID_STATE);
    CHECK(strstr(mw_last_error_message(), "ticket") != NULL);
    EXPECT(mw_mailer_wait(m, ticket + 1000, &out), MW_ERR_INVALID_STATE);
    EXPECT(mw_mailer_submit(m, msg, NULL), MW_OK); /* the ticket is optional */

    /* Close: idempotent; then every new message is refused. */
    EXPECT(mw_mailer_close(m), MW_OK);
    EXPECT(mw_mailer_close(m), MW_OK);
    EXPECT(mw_mailer_submit(m, msg, &ticket), MW_ERR_INVALID_STATE);
    EXPECT(mw_mailer_submit_raw(m, raw, raw_len, "a@ifaxin.com", RAW_RCPTS, 2, &ticket), MW_ERR_INVALID_STATE);
    EXPECT(mw_mailer_send(m, msg, &out), MW_ERR_INVALID_STATE);
    EXPECT(mw_mailer_send_raw(m, raw, raw_len, "a@ifaxin.com", RAW_RCPTS, 2, &out), MW_ERR_INVALID_STATE);
    CHECK(out == NULL);
    EXPECT(mw_mailer_set_callback(m, NULL, NULL), MW_OK);
    /* The outcome of the message submitted without a ticket is kept. */
    EXPECT(mw_mailer_poll(m, &out), MW_OK);
    CHECK(out != NULL && mw_outcome_get_kind(out) == MW_OUTCOME_DELIVERED);
    mw_outcome_free(out);
    EXPECT(mw_mailer_poll(m, &out), MW_OK);
    CHECK(out == NULL);
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.delivered == 2 && k.connections == 0 && k.queued == 0 && k.in_flight == 0 && !k.has_current_rate);
    mw_mailer_free(m);
    mw_mailer_free(NULL);
    mw_message_free(msg);
}

/* Outcomes by poll (oldest first, each once) and by wait (any order), and
 * mw_mailer_send / _send_raw. */
static void test_poll_and_wait(int port) {
    mw_mailer *m = plain_mailer(port, 2);
    mw_message *msg = message("poll");
    enum { N = 30 };
    uint64_t tickets[N];
    for (int i = 0; i < N; i++) EXPECT(mw_mailer_submit(m, msg, &tickets[i]), MW_OK);
    int seen[N] = {0};
    int got = 0;
    for (int empty = 0; got < N && empty < 60000;) { /* poll never blocks: sleep between empty polls */
        mw_outcome *o = NULL;
        mw_result rc = mw_mailer_poll(m, &o);
        if (rc != MW_OK) EXPECT(rc, MW_OK); /* counted only when it fails: the number of polls varies */
        if (!o) {
            empty++;
            pause_ms(1);
            continue;
        }
        int which = -1;
        for (int i = 0; i < N; i++)
            if (tickets[i] == mw_outcome_ticket(o)) which = i;
        CHECK(which >= 0 && !seen[which]);
        if (which >= 0) seen[which] = 1;
        CHECK(delivered_by_bad_server(o, 1));
        CHECK(strcmp(mw_outcome_accepted(o, 0), "ben@ifaxin.com") == 0 && mw_outcome_accepted(o, 1) == NULL);
        mw_outcome_free(o);
        got++;
    }
    CHECK(got == N);
    mw_outcome *o = NULL;
    EXPECT(mw_mailer_poll(m, &o), MW_OK);
    CHECK(o == NULL);
    EXPECT(mw_mailer_wait(m, tickets[0], &o), MW_ERR_INVALID_STATE); /* taken by poll */

    /* Wait in reverse order. */
    for (int i = 0; i < 5; i++) EXPECT(mw_mailer_submit(m, msg, &tickets[i]), MW_OK);
    for (int i = 4; i >= 0; i--) {
        o = NULL;
        EXPECT(mw_mailer_wait(m, tickets[i], &o), MW_OK);
        CHECK(delivered_by_bad_server(o, 1) && mw_outcome_ticket(o) == tickets[i]);
        mw_outcome *copy = NULL;
        EXPECT(mw_outcome_clone(o, &copy), MW_OK);
        mw_outcome_free(o);
        CHECK(delivered_by_bad_server(copy, 1) && mw_outcome_ticket(copy) == tickets[i]);
        EXPECT(mw_outcome_clone(copy, NULL), MW_ERR_NULL_PARAMETER);
        mw_outcome_free(copy);
    }
    o = NULL;
    EXPECT(mw_mailer_send(m, msg, &o), MW_OK);
    CHECK(delivered_by_bad_server(o, 1));
    mw_outcome_free(o);
    o = NULL;
    EXPECT(mw_mailer_send_raw(m, (const uint8_t *)RAW, sizeof RAW - 1, "a@ifaxin.com", RAW_RCPTS, 2, &o), MW_OK);
    CHECK(delivered_by_bad_server(o, 2));
    CHECK(o && strcmp(mw_outcome_accepted(o, 1), "c@ifaxin.com") == 0);
    mw_outcome_free(o);
    mw_counters k;
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.delivered == N + 7 && k.failed == 0 && k.retries == 0);
    EXPECT(mw_mailer_close(m), MW_OK);
    mw_mailer_free(m);
    mw_message_free(msg);
}

/* --- the callback path, with many threads submitting -------------------- */

typedef struct {
    pthread_mutex_t lock;
    mw_mailer *mailer;
    pthread_t main_thread;
    int calls;
    int seen[MAX_TICKETS];
    int not_delivered;
    int on_main_thread;
    int misuse_checked;
    mw_outcome *kept;
} callback_state;

static void on_outcome(void *userdata, const mw_outcome *o) {
    callback_state *s = userdata;
    uint64_t t = mw_outcome_ticket(o);
    int delivered = delivered_by_bad_server(o, 1) || delivered_by_bad_server(o, 2);
    int first = 0;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    if (t < MAX_TICKETS) s->seen[t]++;
    if (!delivered) {
        s->not_delivered++;
        fprintf(stderr, "callback: ticket %llu %s: %s\n", (unsigned long long)t,
                mw_outcome_kind_name(mw_outcome_get_kind(o)), mw_outcome_error_message(o) ? mw_outcome_error_message(o) : "");
    }
    if (pthread_equal(pthread_self(), s->main_thread)) s->on_main_thread++;
    if (!s->misuse_checked) first = s->misuse_checked = 1;
    pthread_mutex_unlock(&s->lock);
    if (first) {
        /* What a callback may call, and what it may not (the waiting calls). */
        mw_message *msg = message("from a callback");
        uint64_t ticket = 0;
        mw_outcome *out = NULL;
        EXPECT(mw_mailer_submit(s->mailer, msg, &ticket), MW_ERR_INVALID_STATE);
        CHECK(strstr(mw_last_error_message(), "callback") != NULL);
        EXPECT(mw_mailer_send(s->mailer, msg, &out), MW_ERR_INVALID_STATE);
        EXPECT(mw_mailer_submit_raw(s->mailer, (const uint8_t *)RAW, sizeof RAW - 1, "a@ifaxin.com", RAW_RCPTS, 1,
                                    &ticket),
               MW_ERR_INVALID_STATE);
        EXPECT(mw_mailer_wait(s->mailer, t, &out), MW_ERR_INVALID_STATE);
        EXPECT(mw_mailer_close(s->mailer), MW_ERR_INVALID_STATE);
        EXPECT(mw_mailer_abort(s->mailer), MW_ERR_INVALID_STATE);
        mw_mailer_free(s->mailer); /* does nothing here */
        mw_counters k;
        EXPECT(mw_mailer_counters(s->mailer, &k), MW_OK);
        EXPECT(mw_mailer_poll(s->mailer, &out), MW_OK);
        CHECK(out == NULL);
        EXPECT(mw_outcome_clone(o, &s->kept), MW_OK); /* kept past the callback */
        mw_message_free(msg);
    }
}

typedef struct {
    mw_mailer *mailer;
    const mw_message *msg;
    int index, count;
    uint64_t *tickets;
} submitter;

static void *submit_many(void *arg) {
    submitter *s = arg;
    for (int i = 0; i < s->count; i++) {
        int g = s->index * s->count + i; /* odd: the built message; even: raw, to two */
        uint64_t *t = &s->tickets[g];
        if (g % 2)
            EXPECT(mw_mailer_submit(s->mailer, s->msg, t), MW_OK);
        else
            EXPECT(mw_mailer_submit_raw(s->mailer, (const uint8_t *)RAW, sizeof RAW - 1, "a@ifaxin.com", RAW_RCPTS,
                                        2, t),
                   MW_OK);
    }
    return NULL;
}

/* 200 messages from 8 threads at once over 4 connections, every outcome to
 * the callback (on the mailer's thread, never the caller's), each ticket
 * exactly once; close returns after the last callback. */
static void test_callback_from_many_threads(int port) {
    enum { THREADS = 8, EACH = 25, N = THREADS * EACH };
    static callback_state state;
    memset(&state, 0, sizeof state);
    pthread_mutex_init(&state.lock, NULL);
    state.main_thread = pthread_self();
    mw_mailer *m = plain_mailer(port, 4);
    state.mailer = m;
    EXPECT(mw_mailer_set_callback(m, on_outcome, &state), MW_OK);
    mw_message *msg = message("callback");
    uint64_t tickets[N] = {0};
    pthread_t threads[THREADS];
    submitter subs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        subs[i] = (submitter){m, msg, i, EACH, tickets};
        CHECK(pthread_create(&threads[i], NULL, submit_many, &subs[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    /* Every outcome goes to the callback: wait refuses. */
    mw_outcome *o = NULL;
    EXPECT(mw_mailer_wait(m, tickets[0], &o), MW_ERR_INVALID_STATE);
    /* Close drains: every message is sent and its callback made before it returns. */
    EXPECT(mw_mailer_close(m), MW_OK);
    pthread_mutex_lock(&state.lock);
    CHECK(state.calls == N && state.not_delivered == 0 && state.on_main_thread == 0);
    int once = 1;
    for (int i = 0; i < N; i++)
        if (tickets[i] == 0 || tickets[i] >= MAX_TICKETS || state.seen[tickets[i]] != 1) once = 0;
    CHECK(once);
    pthread_mutex_unlock(&state.lock);
    CHECK(state.kept != NULL && mw_outcome_ticket(state.kept) >= 1);
    mw_outcome_free(state.kept);
    EXPECT(mw_mailer_poll(m, &o), MW_OK);
    CHECK(o == NULL);
    mw_counters k;
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.delivered == N && k.failed == 0 && k.uncertain == 0);
    mw_mailer_free(m);
    mw_message_free(msg);
    pthread_mutex_destroy(&state.lock);
}

typedef struct {
    mw_mailer *mailer;
    const mw_message *msg;
    int delivered;
} sender_arg;

static void *send_some(void *arg) {
    sender_arg *s = arg;
    for (int i = 0; i < 10; i++) {
        mw_outcome *o = NULL;
        EXPECT(mw_mailer_send(s->mailer, s->msg, &o), MW_OK);
        if (delivered_by_bad_server(o, 1)) s->delivered++;
        mw_outcome_free(o);
    }
    return NULL;
}

/* Several threads each sending and waiting at once, a callback set
 * meanwhile (send never hands its outcome to it). */
static void test_send_from_many_threads(int port) {
    mw_mailer *m = plain_mailer(port, 3);
    static callback_state state;
    memset(&state, 0, sizeof state);
    pthread_mutex_init(&state.lock, NULL);
    state.misuse_checked = 1;
    state.mailer = m;
    EXPECT(mw_mailer_set_callback(m, on_outcome, &state), MW_OK);
    mw_message *msg = message("send");
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    sender_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (sender_arg){m, msg, 0};
        CHECK(pthread_create(&threads[i], NULL, send_some, &args[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(args[i].delivered == 10);
    }
    EXPECT(mw_mailer_close(m), MW_OK);
    CHECK(state.calls == 0);
    mw_mailer_free(m);
    mw_message_free(msg);
    pthread_mutex_destroy(&state.lock);
}

static void *close_mailer(void *arg) {
    EXPECT(mw_mailer_close((mw_mailer *)arg), MW_OK);
    return NULL;
}

/* A rate of one message per minute: the first goes, the rest wait. Close
 * (on another thread) would send them all, a minute apart; abort ends that:
 * the waiting ones fail (not sent, 0 attempts), both calls return, and
 * every submitted message still has exactly one outcome. */
static void test_abort_fails_what_waits(int port) {
    mw_client_options *o = plain_options(port);
    mw_delivery_options *d = NULL;
    EXPECT(mw_delivery_options_new(&d), MW_OK);
    EXPECT(mw_delivery_options_set_rate(d, 1, 60000), MW_OK);
    mw_mailer *m = NULL;
    EXPECT(mw_mailer_new(o, d, &m), MW_OK);
    mw_message *msg = message("rate");
    uint64_t tickets[5];
    for (int i = 0; i < 5; i++) EXPECT(mw_mailer_submit(m, msg, &tickets[i]), MW_OK);
    mw_outcome *out = NULL;
    EXPECT(mw_mailer_wait(m, tickets[0], &out), MW_OK);
    CHECK(delivered_by_bad_server(out, 1));
    mw_outcome_free(out);
    mw_counters k;
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.queued == 4 && k.has_current_rate && k.current_rate > 0);
    pthread_t closer;
    CHECK(pthread_create(&closer, NULL, close_mailer, m) == 0);
    EXPECT(mw_mailer_abort(m), MW_OK);
    pthread_join(closer, NULL);
    EXPECT(mw_mailer_submit(m, msg, NULL), MW_ERR_INVALID_STATE);
    for (int i = 1; i < 5; i++) {
        out = NULL;
        EXPECT(mw_mailer_wait(m, tickets[i], &out), MW_OK);
        CHECK(out && mw_outcome_get_kind(out) == MW_OUTCOME_FAILED && mw_outcome_error(out) == MW_ERR_INVALID_STATE);
        CHECK(mw_outcome_attempts(out) == 0 && !mw_outcome_gave_up(out) && mw_outcome_error_message(out) != NULL);
        CHECK(mw_outcome_queue_id(out) == NULL && mw_outcome_accepted_count(out) == 0);
        mw_outcome_free(out);
    }
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.delivered == 1 && k.failed == 4 && k.queued == 0);
    EXPECT(mw_mailer_abort(m), MW_OK); /* again: nothing left */
    EXPECT(mw_mailer_close(m), MW_OK);
    mw_mailer_free(m);
    mw_message_free(msg);
    mw_delivery_options_free(d);
    mw_client_options_free(o);
}

static void count_calls(void *userdata, const mw_outcome *o) {
    (void)o;
    callback_state *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    pthread_mutex_unlock(&s->lock);
}

/* Free without close: it closes first (every message sent and every
 * callback made before it returns), and the outcomes nobody took are freed
 * with it (valgrind and ASan check). */
static void test_free_without_close(int port) {
    static callback_state state;
    memset(&state, 0, sizeof state);
    pthread_mutex_init(&state.lock, NULL);
    mw_mailer *m = plain_mailer(port, 2);
    mw_message *msg = message("free");
    for (int i = 0; i < 10; i++) EXPECT(mw_mailer_submit(m, msg, NULL), MW_OK); /* kept, never taken */
    EXPECT(mw_mailer_set_callback(m, count_calls, &state), MW_OK);
    for (int i = 0; i < 10; i++) EXPECT(mw_mailer_submit(m, msg, NULL), MW_OK);
    mw_message_free(msg); /* the mailer copied what it needs */
    mw_mailer_free(m);
    CHECK(state.calls == 10);
    /* A mailer never used. */
    m = plain_mailer(port, 1);
    mw_mailer_free(m);
    pthread_mutex_destroy(&state.lock);
}

/* --- Haraka over STARTTLS, with a label ----------------------------------- */

static int stored_has_label(const char *dir, const char *queue_id) {
    char path[1024], buffer[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, queue_id);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    fclose(f);
    buffer[n] = 0;
    return strstr(buffer, "\"label\":\"12345\"") != NULL && strstr(buffer, "\"tls\":true") != NULL;
}

static void test_haraka(void) {
    const char *port = getenv("MW_HARAKA_PORT"), *ca = getenv("MW_HARAKA_CA"), *stored = getenv("MW_HARAKA_STORED");
    if (!port || !ca || !stored) {
        fprintf(stderr, "MW_HARAKA_PORT, MW_HARAKA_CA and MW_HARAKA_STORED must be set (run-tests.sh starts Haraka)\n");
        CHECK(0);
        return;
    }
    mw_credentials *creds = NULL;
    EXPECT(mw_credentials_new("api_user", "api_key", "12345", &creds), MW_OK);
    mw_client_options *o = NULL;
    EXPECT(mw_client_options_new("127.0.0.1", 9, &o), MW_OK);
    EXPECT(mw_client_options_set_port(o, atoi(port)), MW_OK);
    EXPECT(mw_client_options_set_tls(o, MW_TLS_STARTTLS), MW_OK);
    EXPECT(mw_client_options_set_credentials(o, creds), MW_OK);
    EXPECT(mw_client_options_set_timeout_ms(o, 20000), MW_OK);
    EXPECT(mw_client_options_add_ca_file(o, ca, strlen(ca)), MW_OK);
    mw_delivery_options *d = NULL;
    EXPECT(mw_delivery_options_new(&d), MW_OK);
    EXPECT(mw_delivery_options_set_connections(d, 4), MW_OK);
    mw_mailer *m = NULL;
    EXPECT(mw_mailer_new(o, d, &m), MW_OK);
    mw_credentials_free(creds); /* copied into the options, then into the mailer */
    mw_client_options_free(o);
    mw_delivery_options_free(d);
    enum { THREADS = 4, EACH = 15, N = THREADS * EACH };
    mw_message *msg = message("测试 mailer");
    uint64_t tickets[N] = {0};
    pthread_t threads[THREADS];
    submitter subs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        subs[i] = (submitter){m, msg, i, EACH, tickets};
        CHECK(pthread_create(&threads[i], NULL, submit_many, &subs[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    int stored_ok = 0, delivered = 0;
    char seen_ids[N][64];
    int distinct = 1;
    for (int i = 0; i < N; i++) {
        mw_outcome *out = NULL;
        EXPECT(mw_mailer_wait(m, tickets[i], &out), MW_OK);
        seen_ids[i][0] = 0;
        if (out && mw_outcome_get_kind(out) == MW_OUTCOME_DELIVERED && mw_outcome_attempts(out) == 1 &&
            mw_outcome_accepted_count(out) == (i % 2 ? 1u : 2u))
            delivered++;
        else
            fprintf(stderr, "haraka: message %d: %s\n", i, out ? mw_outcome_kind_name(mw_outcome_get_kind(out)) : "-");
        const char *id = mw_outcome_queue_id(out);
        if (id && stored_has_label(stored, id)) stored_ok++;
        if (id) snprintf(seen_ids[i], sizeof seen_ids[i], "%s", id);
        for (int j = 0; j < i; j++)
            if (seen_ids[i][0] && strcmp(seen_ids[i], seen_ids[j]) == 0) distinct = 0;
        mw_outcome_free(out);
    }
    CHECK(delivered == N && stored_ok == N && distinct);
    mw_counters k;
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.delivered == N && k.failed == 0 && k.retries == 0 && k.connections >= 1 && k.connections <= 4);
    EXPECT(mw_mailer_close(m), MW_OK);
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.connections == 0);
    mw_mailer_free(m);
    mw_message_free(msg);
}

int main(void) {
    test_delivery_options();
    bad_server s = start("ok");
    CHECK(s.port != 0);
    if (s.port != 0) {
        test_misuse(s.port);
        test_poll_and_wait(s.port);
        test_callback_from_many_threads(s.port);
        test_send_from_many_threads(s.port);
        test_abort_fails_what_waits(s.port);
        test_free_without_close(s.port);
    }
    stop(&s);
    test_haraka();
    printf("mailer checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
