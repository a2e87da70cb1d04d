/* Bulk sending with libmailwright's mailer: a pool of connections, one
 * throttle (SendCloud's 20,000 a minute unless told otherwise), retries, and
 * exactly one outcome per message, shown as a progress line by the outcome
 * callback (which runs on the mailer's own thread, one outcome at a time).
 *
 *   bulk_send HOST PORT COUNT [TLS [USER KEY LABEL [CA.pem]]]
 *
 * TLS is starttls (the default), implicit, opportunistic or none. Exit
 * status 0 when every message was delivered, 1 otherwise.
 */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned long total, delivered, failed, uncertain;
} progress;

/* Called once per message on the mailer's callback thread: no locking
 * needed for `progress`, which only this thread writes until mw_mailer_close
 * returns. It must not call the mailer's waiting functions (submit, send,
 * wait, close, abort). */
static void on_outcome(void *userdata, const mw_outcome *o) {
    progress *p = userdata;
    switch (mw_outcome_get_kind(o)) {
    case MW_OUTCOME_DELIVERED: p->delivered++; break;
    case MW_OUTCOME_FAILED: p->failed++; break;
    default: p->uncertain++; break;
    }
    if (mw_outcome_get_kind(o) != MW_OUTCOME_DELIVERED)
        fprintf(stderr, "\nmessage %llu %s after %u attempt(s): %s (%s)\n", (unsigned long long)mw_outcome_ticket(o),
                mw_outcome_kind_name(mw_outcome_get_kind(o)), mw_outcome_attempts(o),
                mw_result_kind_name(mw_outcome_error(o)), mw_outcome_error_message(o));
    unsigned long done = p->delivered + p->failed + p->uncertain;
    if (done % 50 == 0 || done == p->total) {
        printf("\r%lu/%lu sent: %lu delivered, %lu failed, %lu uncertain", done, p->total, p->delivered, p->failed,
               p->uncertain);
        fflush(stdout);
    }
}

static int fail(const char *what, mw_result rc) {
    fprintf(stderr, "%s: %s: %s\n", what, mw_result_name((uint32_t)rc), mw_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 4 || argc == 6 || argc == 7 || argc > 9) {
        fprintf(stderr, "usage: %s HOST PORT COUNT [TLS [USER KEY LABEL [CA.pem]]]\n", argv[0]);
        return 2;
    }
    unsigned long count = strtoul(argv[3], NULL, 10);
    mw_result rc;

    /* Where and how to connect: the same options as the one-shot client. */
    mw_client_options *options = NULL;
    if ((rc = mw_client_options_new(argv[1], strlen(argv[1]), &options)) != MW_OK) return fail("host", rc);
    if ((rc = mw_client_options_set_port(options, atol(argv[2]))) != MW_OK) return fail("port", rc);
    if (argc >= 5) {
        mw_tls_mode tls;
        if ((rc = mw_tls_mode_from_name(argv[4], strlen(argv[4]), &tls)) != MW_OK) return fail("tls", rc);
        mw_client_options_set_tls(options, tls);
    }
    if (argc >= 8) {
        mw_credentials *creds = NULL; /* AUTH as USER#LABEL */
        if ((rc = mw_credentials_new(argv[5], argv[6], argv[7], &creds)) != MW_OK) return fail("credentials", rc);
        mw_client_options_set_credentials(options, creds); /* copied */
        mw_credentials_free(creds);
    }
    if (argc == 9 && (rc = mw_client_options_add_ca_file(options, argv[8], strlen(argv[8]))) != MW_OK)
        return fail("ca", rc);

    /* How to deliver: 8 connections, SendCloud's quota; the rest (retries,
     * backoff, deadline, queue) keeps the library's defaults. */
    mw_delivery_options *delivery = NULL;
    mw_delivery_options_new(&delivery);
    mw_delivery_options_set_connections(delivery, 8);
    mw_delivery_options_set_rate_name(delivery, "sendcloud", 9);

    mw_mailer *mailer = NULL;
    rc = mw_mailer_new(options, delivery, &mailer);
    mw_delivery_options_free(delivery); /* both copied */
    mw_client_options_free(options);
    if (rc != MW_OK) return fail("mailer", rc);

    progress p = {count, 0, 0, 0};
    mw_mailer_set_callback(mailer, on_outcome, &p); /* before submitting */

    for (unsigned long i = 0; i < count; i++) {
        char to[64], subject[64];
        snprintf(to, sizeof to, "user%lu@ifaxin.com", i);
        snprintf(subject, sizeof subject, "Newsletter %lu", i);
        mw_message_builder *b = mw_message_builder_new();
        mw_message_builder_from(b, "Support <support@ifaxin.com>");
        mw_message_builder_to(b, to);
        mw_message_builder_subject(b, subject);
        mw_message_builder_text(b, "Hello from the bulk example.");
        mw_message *m = NULL;
        if ((rc = mw_message_build(b, &m)) != MW_OK) return fail("message", rc);
        /* Waits only while the queue is full; the message is copied. */
        rc = mw_mailer_submit(mailer, m, NULL);
        mw_message_free(m);
        if (rc != MW_OK) return fail("submit", rc);
    }

    /* Close drains: every message is sent (with its retries) and its
     * callback made before it returns. */
    mw_mailer_close(mailer);
    mw_counters k;
    mw_mailer_counters(mailer, &k);
    printf("\ndone: %lu delivered, %lu failed, %lu uncertain; %llu retries, %llu rate limited (536)\n", p.delivered,
           p.failed, p.uncertain, (unsigned long long)k.retries, (unsigned long long)k.rate_limited);
    mw_mailer_free(mailer);
    return p.delivered == count ? 0 : 1;
}
