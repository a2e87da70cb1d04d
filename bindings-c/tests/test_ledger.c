/* The ledger from C: mw_ledger_open, a keyed mailer (mw_mailer_new_with_ledger,
 * mw_mailer_submit_keyed, _submit_raw_keyed) where a key submitted twice is sent
 * once, in one mailer and across a restart; the recorded outcome read back
 * (mw_ledger_get, mw_ledger_each, mw_ledger_summary), exported as CSV and JSON,
 * pruned; and every bad input with its code: a file that is not a ledger, a bad
 * key, a bad state, format or age, a key without a ledger, NULLs. The
 * misbehaving server ("ok" scenario) is the relay; it counts what it stored
 * through its queue ids (one per accepted DATA). The crash test of the C API is
 * ledger_child.c run by testservers/crashloop (make test). */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bad_server.h"

static int checks = 0, failures = 0;
#define CHECK(cond)                                                                                              \
    do {                                                                                                         \
        checks++;                                                                                                \
        if (!(cond)) {                                                                                           \
            failures++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond,             \
                    mw_last_error_message() ? mw_last_error_message() : "none");                                 \
        }                                                                                                        \
    } while (0)
#define EXPECT(call, code) CHECK((call) == (code))

static mw_message *message(int n) {
    char subject[64], id[64];
    snprintf(subject, sizeof subject, "Order %d", n);
    snprintf(id, sizeof id, "order-%d@ifaxin.com", n);
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "Shop <shop@ifaxin.com>");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_subject(b, subject);
    mw_message_builder_text(b, "Your order has shipped.");
    mw_message_builder_message_id(b, id);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    return m;
}

static mw_mailer *keyed_mailer(int port, mw_ledger *ledger) {
    mw_client_options *o = NULL;
    EXPECT(mw_client_options_new("127.0.0.1", 9, &o), MW_OK);
    EXPECT(mw_client_options_set_port(o, port), MW_OK);
    EXPECT(mw_client_options_set_tls(o, MW_TLS_NONE), MW_OK);
    mw_mailer *m = NULL;
    EXPECT(mw_mailer_new_with_ledger(o, NULL, ledger, &m), MW_OK);
    mw_client_options_free(o);
    return m;
}

static uint64_t summary_total(mw_ledger *l, uint64_t *delivered) {
    mw_ledger_counts s = {0};
    EXPECT(mw_ledger_summary(l, &s), MW_OK);
    *delivered = s.delivered;
    CHECK(s.total == s.pending + s.data_sent + s.delivered + s.failed + s.uncertain);
    return s.total;
}

typedef struct {
    int seen;
    int delivered;
    char first_key[64];
} visit;

static int count_visit(void *userdata, const mw_ledger_record *r) {
    visit *v = userdata;
    if (v->seen == 0) snprintf(v->first_key, sizeof v->first_key, "%s", mw_ledger_record_key(r));
    v->seen++;
    if (mw_ledger_record_state(r) == MW_LEDGER_DELIVERED && mw_ledger_record_queue_id(r)) v->delivered++;
    return 0;
}

static int stop_after_one(void *userdata, const mw_ledger_record *r) {
    (void)r;
    ++*(int *)userdata;
    return 1;
}

static long file_lines(const char *path, const char *needle, int *found) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[4096];
    long n = 0;
    *found = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, needle)) (*found)++;
    }
    fclose(f);
    return n;
}

/* NULL-safe: true when `got` is the string `want`. */
static int same(const char *got, const char *want) { return got != NULL && strcmp(got, want) == 0; }

static void test_keyed_once(int port, const char *dir) {
    char path[512], csv[512], json[512];
    snprintf(path, sizeof path, "%s/run.db", dir);
    snprintf(csv, sizeof csv, "%s/out.csv", dir);
    snprintf(json, sizeof json, "%s/out.json", dir);
    mw_ledger *l = NULL;
    EXPECT(mw_ledger_open(path, NULL, false, &l), MW_OK);
    mw_mailer *m = keyed_mailer(port, l);
    mw_message *msg = message(1);
    uint64_t t1 = 0, t2 = 0, t3 = 0;
    mw_claim c1 = MW_CLAIM_DONE, c2 = MW_CLAIM_NEW;
    EXPECT(mw_mailer_submit_keyed(m, "order-1", msg, &t1, &c1), MW_OK);
    EXPECT(mw_mailer_submit_keyed(m, "order-1", msg, &t2, &c2), MW_OK);
    CHECK(c1 == MW_CLAIM_NEW && c2 != MW_CLAIM_NEW && t1 != t2);
    mw_outcome *o1 = NULL, *o2 = NULL;
    EXPECT(mw_mailer_wait(m, t1, &o1), MW_OK);
    EXPECT(mw_mailer_wait(m, t2, &o2), MW_OK);
    CHECK(mw_outcome_get_kind(o1) == MW_OUTCOME_DELIVERED && mw_outcome_get_kind(o2) == MW_OUTCOME_DELIVERED);
    CHECK(mw_outcome_ticket(o2) == t2 && mw_outcome_queue_id(o1) && mw_outcome_queue_id(o2) &&
          strcmp(mw_outcome_queue_id(o1), mw_outcome_queue_id(o2)) == 0);
    /* Each outcome names its key and Message-ID. */
    CHECK(same(mw_outcome_key(o1), "order-1") && same(mw_outcome_key(o2), "order-1"));
    CHECK(same(mw_outcome_message_id(o1), "order-1@ifaxin.com") && same(mw_outcome_message_id(o2), "order-1@ifaxin.com"));
    CHECK(mw_outcome_key(NULL) == NULL && mw_outcome_message_id(NULL) == NULL);
    mw_outcome_free(o1);
    mw_outcome_free(o2);
    /* Raw bytes under a key; then a message without a key: keyed by its Message-ID. */
    static const char RAW[] = "Message-ID: <raw-1@ifaxin.com>\nSubject: raw\n\nraw body\n";
    const char *rcpts[] = {"ben@ifaxin.com"};
    EXPECT(mw_mailer_submit_raw_keyed(m, "raw-1", (const uint8_t *)RAW, strlen(RAW), "shop@ifaxin.com", rcpts, 1, &t3,
                                      NULL),
           MW_OK);
    EXPECT(mw_mailer_wait(m, t3, &o1), MW_OK);
    CHECK(mw_outcome_get_kind(o1) == MW_OUTCOME_DELIVERED);
    CHECK(same(mw_outcome_key(o1), "raw-1") && same(mw_outcome_message_id(o1), "raw-1@ifaxin.com"));
    mw_outcome_free(o1);
    mw_message *plain = message(2);
    EXPECT(mw_mailer_send(m, plain, &o1), MW_OK);
    CHECK(same(mw_outcome_key(o1), "order-2@ifaxin.com")); /* keyed by its Message-ID */
    mw_outcome_free(o1);
    EXPECT(mw_mailer_send(m, plain, &o1), MW_OK); /* the same Message-ID: not sent again */
    CHECK(mw_outcome_get_kind(o1) == MW_OUTCOME_DELIVERED);
    mw_outcome_free(o1);
    /* Bad keys: typed, nothing recorded. */
    EXPECT(mw_mailer_submit_keyed(m, "", msg, NULL, NULL), MW_ERR_INVALID_KEY);
    EXPECT(mw_mailer_submit_keyed(m, "a\r\nBcc: x@evil.test", msg, NULL, NULL), MW_ERR_INVALID_KEY);
    EXPECT(mw_mailer_submit_keyed(m, NULL, msg, NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_submit_keyed(m, "k", NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    uint64_t queued = 9, uncertain = 9;
    EXPECT(mw_mailer_resumed(m, &queued, &uncertain), MW_OK);
    CHECK(queued == 0 && uncertain == 0);
    EXPECT(mw_mailer_close(m), MW_OK);
    mw_mailer_free(m);
    uint64_t delivered = 0;
    CHECK(summary_total(l, &delivered) == 3 && delivered == 3);
    mw_ledger_free(l);

    /* Across a restart: the recorded outcome comes back, nothing is sent. */
    EXPECT(mw_ledger_open(path, "process", false, &l), MW_OK);
    m = keyed_mailer(port, l);
    mw_ledger_free(l); /* the mailer keeps its own reference */
    EXPECT(mw_mailer_submit_keyed(m, "order-1", msg, &t1, &c1), MW_OK);
    CHECK(c1 == MW_CLAIM_DONE);
    EXPECT(mw_mailer_wait(m, t1, &o1), MW_OK);
    CHECK(mw_outcome_get_kind(o1) == MW_OUTCOME_DELIVERED && mw_outcome_queue_id(o1) != NULL);
    CHECK(same(mw_outcome_key(o1), "order-1") && same(mw_outcome_message_id(o1), "order-1@ifaxin.com"));
    mw_outcome_free(o1);
    mw_counters k;
    EXPECT(mw_mailer_counters(m, &k), MW_OK);
    CHECK(k.connections == 0 && k.delivered == 0); /* nothing connected: nothing was sent */
    EXPECT(mw_mailer_close(m), MW_OK);
    mw_mailer_free(m);

    /* Reads. */
    EXPECT(mw_ledger_open(path, NULL, false, &l), MW_OK);
    mw_ledger_record *r = NULL;
    EXPECT(mw_ledger_get(l, "order-1", &r), MW_OK);
    CHECK(r != NULL);
    if (r) {
        CHECK(strcmp(mw_ledger_record_key(r), "order-1") == 0);
        CHECK(mw_ledger_record_state(r) == MW_LEDGER_DELIVERED);
        CHECK(strcmp(mw_ledger_state_name(mw_ledger_record_state(r)), "delivered") == 0);
        CHECK(strcmp(mw_ledger_record_message_id(r), "order-1@ifaxin.com") == 0);
        CHECK(strcmp(mw_ledger_record_sender(r), "shop@ifaxin.com") == 0);
        CHECK(mw_ledger_record_queue_id(r) != NULL && mw_ledger_record_attempts(r) == 1);
        CHECK(mw_ledger_record_error(r) == MW_OK && mw_ledger_record_error_message(r) == NULL);
        CHECK(mw_ledger_record_submitted_ms(r) > 0 && mw_ledger_record_updated_ms(r) >= mw_ledger_record_submitted_ms(r));
    }
    mw_ledger_record_free(r);
    EXPECT(mw_ledger_get(l, "order-9", &r), MW_OK);
    CHECK(r == NULL);
    visit v = {0, 0, ""};
    uint64_t n = 0;
    EXPECT(mw_ledger_each(l, "delivered", count_visit, &v, &n), MW_OK);
    CHECK(v.seen == 3 && v.delivered == 3 && n == 3 && strcmp(v.first_key, "order-1") == 0);
    int once = 0;
    EXPECT(mw_ledger_each(l, NULL, stop_after_one, &once, &n), MW_OK);
    CHECK(once == 1 && n == 1);
    EXPECT(mw_ledger_each(l, "sent", count_visit, &v, &n), MW_ERR_INVALID_OPTION);
    CHECK(strstr(mw_last_error_message(), "pending") != NULL);
    EXPECT(mw_ledger_each(l, NULL, NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_ledger_export(l, csv, NULL, NULL, &n), MW_OK);
    int found = 0;
    CHECK(n == 3 && file_lines(csv, "order-1,delivered,order-1@ifaxin.com", &found) == 4 && found == 1);
    EXPECT(mw_ledger_export(l, json, "json", "uncertain", &n), MW_OK);
    CHECK(n == 0 && file_lines(json, "{", &found) == 0);
    EXPECT(mw_ledger_export(l, json, "xml", NULL, &n), MW_ERR_INVALID_OPTION);
    EXPECT(mw_ledger_export(l, "/nonexistent-dir/x.csv", NULL, NULL, &n), MW_ERR_IO);
    EXPECT(mw_ledger_prune(l, -1, &n), MW_ERR_INVALID_OPTION);
    EXPECT(mw_ledger_prune(l, 3600, &n), MW_OK);
    CHECK(n == 0);
    EXPECT(mw_ledger_prune(l, 0, &n), MW_OK);
    CHECK(n == 3);
    EXPECT(mw_ledger_summary(l, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_ledger_summary(NULL, NULL), MW_ERR_NULL_PARAMETER);
    mw_ledger_free(l);
    mw_ledger_free(NULL);
    mw_ledger_record_free(NULL);
    mw_message_free(msg);
    mw_message_free(plain);
}

static void test_bad_ledgers(int port, const char *dir) {
    char text[512], path[512];
    snprintf(text, sizeof text, "%s/notes.txt", dir);
    snprintf(path, sizeof path, "%s/l.db", dir);
    FILE *f = fopen(text, "w");
    for (int i = 0; i < 500; i++) fputs("not a ledger\n", f);
    fclose(f);
    mw_ledger *l = NULL;
    EXPECT(mw_ledger_open(text, NULL, false, &l), MW_ERR_LEDGER);
    CHECK(l == NULL && strstr(mw_last_error_message(), "not a mailwright ledger") != NULL);
    EXPECT(mw_ledger_open(path, "sometimes", false, &l), MW_ERR_INVALID_OPTION);
    EXPECT(mw_ledger_open(NULL, NULL, false, &l), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_ledger_open(path, NULL, false, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_mailer_new_with_ledger(NULL, NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(mw_ledger_state_name(99) == NULL);
    /* A key without a ledger. */
    mw_client_options *o = NULL;
    EXPECT(mw_client_options_new("127.0.0.1", 9, &o), MW_OK);
    EXPECT(mw_client_options_set_port(o, port), MW_OK);
    EXPECT(mw_client_options_set_tls(o, MW_TLS_NONE), MW_OK);
    mw_mailer *m = NULL;
    EXPECT(mw_mailer_new(o, NULL, &m), MW_OK);
    mw_message *msg = message(3);
    EXPECT(mw_mailer_submit_keyed(m, "order-3", msg, NULL, NULL), MW_ERR_INVALID_STATE);
    uint64_t queued = 9;
    EXPECT(mw_mailer_resumed(m, &queued, NULL), MW_OK);
    CHECK(queued == 0);
    mw_mailer_free(m);
    mw_client_options_free(o);
    mw_message_free(msg);
}

int main(void) {
    char dir[] = "/tmp/mw-c-ledger-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    bad_server s = start("ok");
    CHECK(s.port != 0);
    if (s.port != 0) {
        test_keyed_once(s.port, dir);
        test_bad_ledgers(s.port, dir);
    }
    stop(&s);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    printf("ledger checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
