/* Against the misbehaving server (testservers/misbehaving/badsmtp.py, one
 * process per scenario on 127.0.0.1, started and stopped here): credentials
 * never go out in clear text unless allowed (#5), a server echoing the AUTH
 * secret and terminal escapes shows neither (#7), control bytes in a queue id
 * arrive escaped (#2, #7), an early talker is a protocol error (#8), a server
 * dripping one byte at a time is a time-out (#10), another thread can end a
 * blocked send (interrupter), and transcripts are off unless asked for (#13). */
#include <mailwright.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks = 0, failures = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond, mw_last_error_message() ? mw_last_error_message() : "none"); } } while (0)
#define EXPECT(call, code) CHECK((call) == (code))

#include "bad_server.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static mw_client_options *options(const bad_server *s, mw_tls_mode tls, const mw_credentials *creds,
                                  uint64_t timeout_ms) {
    mw_client_options *o = NULL;
    EXPECT(mw_client_options_new("127.0.0.1", 9, &o), MW_OK);
    EXPECT(mw_client_options_set_port(o, s->port), MW_OK);
    EXPECT(mw_client_options_set_tls(o, tls), MW_OK);
    EXPECT(mw_client_options_set_credentials(o, creds), MW_OK);
    EXPECT(mw_client_options_set_timeout_ms(o, timeout_ms), MW_OK);
    return o;
}

static mw_message *message(void) {
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "support@ifaxin.com");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_text(b, "hello");
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    return m;
}

static void base64(const char *in, size_t len, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < len) v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < len) v |= (unsigned char)in[i + 2];
        out[o++] = t[(v >> 18) & 63];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = i + 1 < len ? t[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? t[v & 63] : '=';
    }
    out[o] = 0;
}

static int has_raw_control(const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; p && *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f) return 1;
    return 0;
}

/* #5: with plaintext AUTH refused, credentials are not sent over clear text. */
static void test_plaintext_auth_refused(void) {
    bad_server s = start("echo_auth");
    mw_credentials *creds = NULL;
    EXPECT(mw_credentials_new("api_user", "api_key", NULL, &creds), MW_OK);
    mw_tls_mode modes[] = {MW_TLS_OPPORTUNISTIC, MW_TLS_NONE};
    for (size_t i = 0; i < 2; i++) {
        mw_client_options *o = options(&s, modes[i], creds, 5000);
        EXPECT(mw_client_options_set_allow_plaintext_auth(o, MW_PLAINTEXT_AUTH_NEVER), MW_OK);
        mw_client *client = NULL;
        EXPECT(mw_client_connect(o, &client), MW_ERR_TLS_UNAVAILABLE);
        CHECK(client == NULL && mw_last_error_reply_text() == NULL); /* refused before AUTH: no 535 */
        mw_client_options_free(o);
    }
    mw_credentials_free(creds);
    stop(&s);
}

/* #7: a server echoing the AUTH argument with ESC and BEL around it: the
 * error and the reply text show <redacted>, never the key or its base64. */
static void test_echoed_secret_is_redacted(void) {
    bad_server s = start("echo_auth");
    const char *keys[] = {"s3cret-key", "another-key"};
    mw_plaintext_auth allow[] = {MW_PLAINTEXT_AUTH_LOOPBACK_ONLY, MW_PLAINTEXT_AUTH_ALWAYS};
    for (size_t i = 0; i < 2; i++) {
        mw_credentials *creds = NULL;
        EXPECT(mw_credentials_new("api_user", keys[i], NULL, &creds), MW_OK);
        mw_client_options *o = options(&s, MW_TLS_OPPORTUNISTIC, creds, 5000);
        EXPECT(mw_client_options_set_allow_plaintext_auth(o, allow[i]), MW_OK);
        mw_client *client = NULL;
        EXPECT(mw_client_connect(o, &client), MW_ERR_AUTHENTICATION_FAILED);
        CHECK(mw_last_error_smtp_code() == 535);
        int before = failures;
        char shown[4096];
        const char *reply = mw_last_error_reply_text();
        snprintf(shown, sizeof shown, "%s %s", mw_last_error_message(), reply ? reply : "(no reply)");
        CHECK(reply != NULL && strstr(reply, "<redacted>") != NULL);
        CHECK(!has_raw_control(shown));
        char plain[128], b64_key[128], b64_plain[256];
        int n = snprintf(plain, sizeof plain, "%capi_user%c%s", 0, 0, keys[i]);
        base64(keys[i], strlen(keys[i]), b64_key);
        base64(plain, (size_t)n, b64_plain);
        CHECK(strstr(shown, keys[i]) == NULL && strstr(shown, b64_key) == NULL && strstr(shown, b64_plain) == NULL);
        if (failures > before) fprintf(stderr, "shown: %s\n", shown);
        mw_client_options_free(o);
        mw_credentials_free(creds);
    }
    stop(&s);
}

/* #2, #7: NUL, ESC and BEL in the queue id reach C escaped (never cut
 * short, never raw); transcripts are off by default, escaped when on (#13). */
static void test_control_characters_and_transcript(void) {
    bad_server s = start("control_chars");
    mw_message *m = message();
    for (int transcript = 0; transcript < 2; transcript++) {
        mw_client_options *o = options(&s, MW_TLS_NONE, NULL, 5000);
        if (transcript) EXPECT(mw_client_options_set_transcript(o, true), MW_OK);
        mw_client *client = NULL;
        EXPECT(mw_client_connect(o, &client), MW_OK);
        mw_send_result *r = NULL;
        EXPECT(mw_client_send(client, m, &r), MW_OK);
        CHECK(r != NULL && strcmp(mw_send_result_queue_id(r), "q\\x00id\\x1B[2J") == 0);
        CHECK(r != NULL && strcmp(mw_send_result_text(r), "#q\\x00id\\x1B[2J#Queued\\x07") == 0);
        mw_send_result_free(r);
        mw_transcript *t = NULL;
        EXPECT(mw_client_take_transcript(client, &t), MW_OK);
        if (!transcript) {
            CHECK(mw_transcript_count(t) == 0);
        } else {
            CHECK(mw_transcript_count(t) >= 8);
            CHECK(strcmp(mw_transcript_line(t, 0), "S: 220 bad.test ESMTP misbehaving") == 0);
            int found = 0;
            for (size_t i = 0; i < mw_transcript_count(t); i++) {
                CHECK(!has_raw_control(mw_transcript_line(t, i)));
                if (strstr(mw_transcript_text(t, i), "q\\x00id\\x1B[2J")) found = 1;
            }
            CHECK(found);
        }
        mw_transcript_free(t);
        EXPECT(mw_client_take_transcript(client, &t), MW_OK); /* drained */
        CHECK(mw_transcript_count(t) == 0);
        mw_transcript_free(t);
        EXPECT(mw_client_quit(client), MW_OK);
        EXPECT(mw_client_take_transcript(client, &t), MW_ERR_INVALID_STATE);
        mw_client_free(client);
        mw_client_options_free(o);
    }
    mw_message_free(m);
    stop(&s);
}

/* #8: replies sent before their commands are a protocol error. */
static void test_early_talker(void) {
    bad_server s = start("early_talker");
    mw_credentials *creds = NULL;
    EXPECT(mw_credentials_new("api_user", "api_key", NULL, &creds), MW_OK);
    mw_client_options *o = options(&s, MW_TLS_NONE, creds, 5000);
    mw_client *client = NULL;
    EXPECT(mw_client_connect(o, &client), MW_ERR_PROTOCOL);
    CHECK(client == NULL);
    mw_client_options_free(o);
    mw_credentials_free(creds);
    stop(&s);
}

/* #10: a greeting dripping in one byte per half second: every read gets
 * data, but the whole reply is late; Timeout after the 2 s time-out. */
static void test_slow_drip(void) {
    bad_server s = start("slow_drip");
    mw_client_options *o = options(&s, MW_TLS_NONE, NULL, 2000);
    mw_client *client = NULL;
    double started = now_s();
    EXPECT(mw_client_connect(o, &client), MW_ERR_TIMEOUT);
    double took = now_s() - started;
    CHECK(client == NULL && took >= 1.5 && took < 10.0);
    CHECK(mw_result_is_transient(MW_ERR_TIMEOUT));
    mw_client_options_free(o);
    stop(&s);
}

static void *interrupt_later(void *arg) {
    struct timespec wait = {0, 300 * 1000 * 1000};
    nanosleep(&wait, NULL);
    mw_interrupter_interrupt((const mw_interrupter *)arg);
    return NULL;
}

/* Another thread ends a send blocked on a server that never answers the
 * end of DATA: the send returns MW_ERR_CONNECTION_CLOSED at once. */
static void test_interrupt_blocked_send(void) {
    bad_server s = start("stall_final");
    mw_client_options *o = options(&s, MW_TLS_NONE, NULL, 20000);
    mw_client *client = NULL;
    EXPECT(mw_client_connect(o, &client), MW_OK);
    mw_interrupter *intr = NULL;
    EXPECT(mw_client_interrupter(client, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_interrupter(client, &intr), MW_OK);
    mw_message *m = message();
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, interrupt_later, intr) == 0);
    double started = now_s();
    EXPECT(mw_client_send(client, m, NULL), MW_ERR_CONNECTION_CLOSED);
    double took = now_s() - started;
    CHECK(strstr(mw_last_error_message(), "application") != NULL);
    CHECK(took < 10.0); /* not the 20 s time-out */
    pthread_join(thread, NULL);
    CHECK(mw_client_send(client, m, NULL) != MW_OK); /* the connection is gone */
    EXPECT(mw_interrupter_interrupt(intr), MW_OK);    /* again: harmless */
    mw_client_free(client);
    EXPECT(mw_interrupter_interrupt(intr), MW_OK); /* after the client: harmless */
    mw_interrupter_free(intr);
    mw_message_free(m);
    mw_client_options_free(o);
    stop(&s);
}

int main(void) {
    test_plaintext_auth_refused();
    test_echoed_secret_is_redacted();
    test_control_characters_and_transcript();
    test_early_talker();
    test_slow_drip();
    test_interrupt_blocked_send();
    printf("misbehaving-server checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
