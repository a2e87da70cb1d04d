/* A bulk sender with a ledger, for the crash test of the C API
 * (testservers/crashloop/crashloop.py SIGKILLs it and runs it again):
 *   ledger_child PORT LEDGER ROWS CONNECTIONS
 * sends keys order-0 .. order-(ROWS-1) (Message-ID order-N@shop.example)
 * through mw_mailer_new_with_ledger to 127.0.0.1:PORT and exits 0 once every
 * outcome is in and none failed. */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, mw_result r) {
    fprintf(stderr, "%s: %s (%s)\n", what, mw_result_kind_name(r), mw_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: ledger_child PORT LEDGER ROWS CONNECTIONS\n");
        return 2;
    }
    int port = atoi(argv[1]), rows = atoi(argv[3]);
    mw_result r;
    mw_ledger *ledger = NULL;
    if ((r = mw_ledger_open(argv[2], NULL, false, &ledger)) != MW_OK) return fail("open", r);
    mw_client_options *o = NULL;
    if ((r = mw_client_options_new("127.0.0.1", 9, &o)) != MW_OK) return fail("options", r);
    if ((r = mw_client_options_set_port(o, port)) != MW_OK) return fail("port", r);
    mw_client_options_set_tls(o, MW_TLS_NONE);
    mw_delivery_options *d = NULL;
    mw_delivery_options_new(&d);
    if ((r = mw_delivery_options_set_connections(d, atoi(argv[4]))) != MW_OK) return fail("connections", r);
    mw_mailer *m = NULL;
    if ((r = mw_mailer_new_with_ledger(o, d, ledger, &m)) != MW_OK) return fail("mailer", r);
    mw_client_options_free(o);
    mw_delivery_options_free(d);
    uint64_t *tickets = calloc((size_t)rows, sizeof *tickets);
    for (int i = 0; i < rows; i++) {
        char key[32], id[64], to[64], subject[64];
        snprintf(key, sizeof key, "order-%d", i);
        snprintf(id, sizeof id, "order-%d@shop.example", i);
        snprintf(to, sizeof to, "user%d@example.com", i);
        snprintf(subject, sizeof subject, "Order %d", i);
        mw_message_builder *b = mw_message_builder_new();
        mw_message_builder_from(b, "news@shop.example");
        mw_message_builder_to(b, to);
        mw_message_builder_subject(b, subject);
        mw_message_builder_text(b, "Your order has shipped.");
        mw_message_builder_message_id(b, id);
        mw_message *msg = NULL;
        if ((r = mw_message_build(b, &msg)) != MW_OK) return fail("build", r);
        if ((r = mw_mailer_submit_keyed(m, key, msg, &tickets[i], NULL)) != MW_OK) return fail("submit", r);
        mw_message_free(msg);
    }
    int delivered = 0, bad = 0;
    for (int i = 0; i < rows; i++) {
        mw_outcome *out = NULL;
        if ((r = mw_mailer_wait(m, tickets[i], &out)) != MW_OK) return fail("wait", r);
        mw_outcome_kind kind = mw_outcome_get_kind(out);
        if (kind == MW_OUTCOME_DELIVERED) delivered++;
        if (kind == MW_OUTCOME_FAILED) {
            fprintf(stderr, "order-%d failed: %s\n", i, mw_outcome_error_message(out));
            bad++;
        }
        mw_outcome_free(out);
    }
    mw_mailer_close(m);
    mw_mailer_free(m);
    mw_ledger_free(ledger);
    free(tickets);
    printf("%d\n", delivered);
    return bad == 0 ? 0 : 1;
}
