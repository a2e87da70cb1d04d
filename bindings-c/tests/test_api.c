/* Every error path of the C API: NULL for every pointer argument, invalid
 * UTF-8, injection attempts, consumed handles, callbacks, the sans-IO session. */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "win_compat.h" /* memmem, open_memstream on Windows; nothing elsewhere */

static int checks = 0, failures = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond, mw_last_error_message() ? mw_last_error_message() : "none"); } } while (0)
#define EXPECT(call, code) CHECK((call) == (code))

static const char *BAD_UTF8 = "\xff\xfe bad";

static mw_message *build_ok(void) {
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "Support <support@ifaxin.com>");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_text(b, "hello");
    mw_message_builder_date(b, 0);
    mw_message_builder_message_id(b, "id@ifaxin.com");
    mw_message_builder_boundary_seed(b, "s");
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    return m;
}

static void test_nulls(void) {
    mw_message_builder *b = mw_message_builder_new();
    uint8_t data[1] = {0};
    EXPECT(mw_message_builder_from(NULL, "a@b.com"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_from(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_to(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_cc(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_bcc(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_reply_to(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_sender(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_envelope_from(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_add_mailbox(b, MW_FIELD_TO, "n", NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_add_mailbox(NULL, MW_FIELD_TO, "n", "a@b.com"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_add_mailbox(b, 99, "n", "a@b.com"), MW_ERR_INVALID_ARGUMENT);
    EXPECT(mw_message_builder_subject(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_text(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_html(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_message_id(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_in_reply_to(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_references(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_boundary_seed(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_date(NULL, 0), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_header(b, NULL, "v"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_header(b, "X-A", NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_sc_custom(b, NULL, "v"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_inline(b, NULL, "image/png", data, 1, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_inline(b, "c", NULL, data, 1, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_inline(b, "c", "image/png", NULL, 1, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_attachment(b, NULL, "a/b", data, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_attachment(b, "f", NULL, data, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_attachment(b, "f", "a/b", NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_x_smtpapi(b, NULL), MW_ERR_NULL_PARAMETER);
    mw_message *m = NULL;
    EXPECT(mw_message_build(NULL, &m), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_build(b, NULL), MW_ERR_NULL_PARAMETER); /* b is consumed even so */
    CHECK(m == NULL);

    mw_message *ok = build_ok();
    uint8_t *out = NULL;
    size_t len = 0;
    EXPECT(mw_message_to_bytes(NULL, &out, &len), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_to_bytes(ok, NULL, &len), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_to_bytes(ok, &out, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(out == NULL);
    EXPECT(mw_message_size(ok, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_size(NULL, &len), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_write(ok, NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_write(NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_check_size(NULL, 1), MW_ERR_NULL_PARAMETER);
    CHECK(mw_message_envelope_sender(NULL) == NULL);
    CHECK(mw_message_recipient_count(NULL) == 0);
    CHECK(mw_message_recipient(ok, 5) == NULL);
    CHECK(mw_message_id(NULL) == NULL);
    CHECK(mw_message_structure(NULL) == NULL);

    mw_credentials *c = NULL;
    EXPECT(mw_credentials_new(NULL, "k", NULL, &c), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_credentials_new("u", NULL, NULL, &c), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_credentials_new("u", "k", NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_credentials_new_oauth2(NULL, "t", NULL, &c), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_credentials_from_parts(NULL, 1, "k", 1, NULL, 0, false, &c), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_credentials_from_parts("u", 1, "k", 1, NULL, 0, false, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(mw_credentials_username(NULL) == NULL);
    EXPECT(mw_auth_login(NULL, &out, &len), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_auth_plain(NULL, &out, &len), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_auth_xoauth2(NULL, &out, &len), MW_ERR_NULL_PARAMETER);
    mw_reply *r = NULL;
    EXPECT(mw_reply_parse(NULL, 3, &r), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_reply_parse((const uint8_t *)"250 ok\r\n", 8, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(mw_reply_code(NULL) == 0 && mw_reply_text(NULL) == NULL && mw_reply_get_class(NULL) == 0);
    mw_session *s = NULL;
    EXPECT(mw_session_new(NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_receive(NULL, data, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_send(NULL, ok, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_poll_event(NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_quit(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_tls_established(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_connection_lost(NULL, MW_LOSS_CLOSED, NULL, 0), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_take_transcript(NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_config_new(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_config_set_tls(NULL, MW_TLS_NONE), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_config_set_hello_name(NULL, "a", 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_consume_output(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_pending_output(NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(mw_event_get_kind(NULL) == 0 && mw_event_result(NULL) == NULL);
    mw_client *client = NULL;
    EXPECT(mw_client_connect(NULL, &client), MW_ERR_NULL_PARAMETER);
    mw_client_options *opts = NULL;
    EXPECT(mw_client_options_new(NULL, 1, &opts), MW_ERR_NULL_PARAMETER); /* host */
    EXPECT(mw_client_options_new("127.0.0.1", 9, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(opts == NULL);
    EXPECT(mw_client_options_new("127.0.0.1", 9, &opts), MW_OK);
    EXPECT(mw_client_options_set_tls(NULL, MW_TLS_NONE), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_options_set_port(NULL, 25), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_options_set_hello_name(opts, NULL, 3), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_options_pin_sha256(opts, NULL, 64), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_options_pin_certificate_pem(opts, NULL, 10), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_options_add_ca_pem(NULL, NULL, 0), MW_ERR_NULL_PARAMETER);
    CHECK(mw_client_options_get_port(NULL) == 0 && mw_client_options_get_timeout_ms(NULL) == 0);
    EXPECT(mw_client_send(NULL, ok, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_take_transcript(NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_interrupter(NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_interrupter_interrupt(NULL), MW_ERR_NULL_PARAMETER);
    CHECK(mw_event_reply_text(NULL) == NULL && mw_event_refused_text(NULL, 0) == NULL);
    EXPECT(mw_client_quit(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_send(NULL, opts, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_send(ok, NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_tls_mode_from_name(NULL, 3, NULL), MW_ERR_NULL_PARAMETER);
    mw_client_options_free(opts);
    EXPECT(mw_x_smtpapi_to(NULL, "a@b.com"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_x_smtpapi_encode(NULL, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(client == NULL && s == NULL && r == NULL && c == NULL);

    /* Every _free accepts NULL. */
    mw_message_builder_free(NULL);
    mw_message_free(NULL);
    mw_x_smtpapi_free(NULL);
    mw_credentials_free(NULL);
    mw_reply_free(NULL);
    mw_send_result_free(NULL);
    mw_session_free(NULL);
    mw_event_free(NULL);
    mw_client_free(NULL);
    mw_client_options_free(NULL);
    mw_session_config_free(NULL);
    mw_transcript_free(NULL);
    mw_interrupter_free(NULL);
    mw_bytes_free(NULL, 0);
    mw_string_free(NULL);
    mw_message_free(ok);
}

static void test_utf8_and_injection(void) {
    const char *evil[] = {"a\r\nBcc: x@y.com", "a\nb", "a\rb"};
    for (size_t i = 0; i < 3; i++) {
        mw_message_builder *b = mw_message_builder_new();
        mw_message_builder_from(b, "support@ifaxin.com");
        mw_message_builder_to(b, "ben@ifaxin.com");
        mw_message_builder_subject(b, evil[i]);
        mw_message *m = NULL;
        EXPECT(mw_message_build(b, &m), MW_ERR_HEADER_INJECTION);
        CHECK(m == NULL && strstr(mw_last_error_message(), "CR or LF") != NULL);
    }
    struct { const char *field; } fields[] = {{"to"}, {"header"}, {"filename"}, {"content_type"}, {"content_id"}, {"name"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        mw_message_builder *b = mw_message_builder_new();
        mw_message_builder_from(b, "support@ifaxin.com");
        mw_message_builder_to(b, "ben@ifaxin.com");
        const char *f = fields[i].field, *e = "x\r\ny";
        if (!strcmp(f, "to")) mw_message_builder_to(b, "c@ifaxin.com\r\nBcc: e@f.com");
        if (!strcmp(f, "header")) mw_message_builder_header(b, "X-A", e);
        if (!strcmp(f, "filename")) mw_message_builder_attachment(b, e, "text/plain", (const uint8_t *)"x", 1);
        if (!strcmp(f, "content_type")) mw_message_builder_attachment(b, "a", "text/plain\r\nX: y", (const uint8_t *)"x", 1);
        if (!strcmp(f, "content_id")) mw_message_builder_inline(b, e, "image/png", (const uint8_t *)"x", 1, NULL);
        if (!strcmp(f, "name")) mw_message_builder_add_mailbox(b, MW_FIELD_CC, e, "c@ifaxin.com");
        mw_message *m = NULL;
        EXPECT(mw_message_build(b, &m), MW_ERR_HEADER_INJECTION);
    }
    mw_message_builder *b = mw_message_builder_new();
    EXPECT(mw_message_builder_subject(b, BAD_UTF8), MW_ERR_INVALID_UTF8);
    EXPECT(mw_message_builder_from(b, BAD_UTF8), MW_ERR_INVALID_UTF8);
    EXPECT(mw_message_builder_header(b, "X-A", BAD_UTF8), MW_ERR_INVALID_UTF8);
    mw_credentials *c = NULL;
    EXPECT(mw_credentials_new("u", BAD_UTF8, NULL, &c), MW_ERR_INVALID_UTF8);
    EXPECT(mw_credentials_new("u", "", NULL, &c), MW_ERR_INVALID_CREDENTIALS);
    mw_message_builder_free(b);

    /* Typed build errors. */
    b = mw_message_builder_new();
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_ERR_MISSING_FROM);
    b = mw_message_builder_new();
    mw_message_builder_from(b, "nobody");
    EXPECT(mw_message_build(b, &m), MW_ERR_INVALID_ADDRESS);
    CHECK(strcmp(mw_result_name(MW_ERR_RATE_LIMITED), "MW_ERR_RATE_LIMITED") == 0);
    CHECK(strcmp(mw_result_name(9999), "MW_ERR_UNKNOWN") == 0);
}

static int released = 0;
static void release(void *ctx, const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
    released++;
    free(ctx);
}

static int write_count = 0;
static int collect(void *ctx, const uint8_t *data, size_t len) {
    FILE *f = (FILE *)ctx;
    write_count++;
    return fwrite(data, 1, len, f) == len ? 0 : 1;
}
static int refuse(void *ctx, const uint8_t *data, size_t len) {
    (void)ctx; (void)data; (void)len;
    return 7;
}

static void test_ownership_and_streaming(void) {
    /* An attachment handed over without a copy is released exactly once. */
    size_t n = 300000;
    uint8_t *big = malloc(n);
    for (size_t i = 0; i < n; i++) big[i] = (uint8_t)(i * 7);
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "support@ifaxin.com");
    mw_message_builder_to(b, "ben@ifaxin.com");
    EXPECT(mw_message_builder_attachment_owned(b, "big.bin", "application/octet-stream", big, n, release, big), MW_OK);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    CHECK(released == 0);
    uint8_t *bytes = NULL;
    size_t len = 0;
    EXPECT(mw_message_to_bytes(m, &bytes, &len), MW_OK);
    char *buffer = NULL;
    size_t buffer_len = 0;
    FILE *mem = open_memstream(&buffer, &buffer_len);
    EXPECT(mw_message_write(m, collect, mem), MW_OK);
    fclose(mem);
    CHECK(buffer_len == len && memcmp(buffer, bytes, len) == 0 && write_count >= 1);
    EXPECT(mw_message_write(m, refuse, NULL), MW_ERR_IO);
    free(buffer);
    mw_bytes_free(bytes, len);
    mw_message_free(m);
    CHECK(released == 1);

    /* Released also when the call fails. */
    uint8_t *other = malloc(4);
    b = mw_message_builder_new();
    EXPECT(mw_message_builder_attachment_owned(b, NULL, "a/b", other, 4, release, other), MW_ERR_NULL_PARAMETER);
    CHECK(released == 2);
    mw_message_builder_free(b);

    /* A consumed builder is refused, not a crash (build frees it; use a second). */
    b = mw_message_builder_new();
    mw_message_builder_from(b, "support@ifaxin.com");
    EXPECT(mw_message_build(b, &m), MW_ERR_NO_RECIPIENTS);
}

static void test_smtp_pieces(void) {
    mw_credentials *c = NULL;
    EXPECT(mw_credentials_new("api_user", "api_key", "12345", &c), MW_OK);
    uint8_t *p = NULL;
    size_t len = 0;
    EXPECT(mw_auth_login(c, &p, &len), MW_OK);
    CHECK(len == 33 && memcmp(p, "AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n", len) == 0);
    mw_bytes_free(p, len);
    EXPECT(mw_auth_login_answer("UGFzc3dvcmQ6", c, true, &p, &len), MW_OK);
    CHECK(len == 14 && memcmp(p, "YXBpX2tleQ==\r\n", len) == 0);
    mw_bytes_free(p, len);
    EXPECT(mw_auth_plain(c, &p, &len), MW_OK);
    mw_bytes_free(p, len);
    EXPECT(mw_auth_xoauth2(c, &p, &len), MW_ERR_INVALID_CREDENTIALS);

    mw_reply *r = NULL;
    const char *sc = "250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n";
    EXPECT(mw_reply_parse((const uint8_t *)sc, strlen(sc), &r), MW_OK);
    CHECK(mw_reply_code(r) == 250 && strcmp(mw_reply_queue_id(r), "1426390015358_15_6484_8661.sc-10_10_127_51-inbound") == 0);
    mw_reply_free(r);
    EXPECT(mw_reply_parse((const uint8_t *)"536 Frequency limited\r\n", 23, &r), MW_OK);
    CHECK(mw_reply_get_class(r) == MW_REPLY_RATE_LIMITED);
    mw_reply_free(r);
    EXPECT(mw_reply_parse((const uint8_t *)"hello\r\n", 7, &r), MW_ERR_PROTOCOL);

    /* The sans-IO session: a 536 on MAIL fails the message, typed. */
    mw_session_config *config = NULL;
    EXPECT(mw_session_config_new(&config), MW_OK);
    EXPECT(mw_session_config_set_hello_name(config, "ifaxin.com", 10), MW_OK);
    EXPECT(mw_session_config_set_tls(config, MW_TLS_NONE), MW_OK);
    EXPECT(mw_session_config_set_credentials(config, c), MW_OK);
    EXPECT(mw_session_config_set_transcript(config, true), MW_OK);
    /* Credentials go over this clear-text connection only because we say so. */
    EXPECT(mw_session_config_set_allow_plaintext_auth(config, true), MW_OK);
    mw_session *s = NULL;
    EXPECT(mw_session_new(config, &s), MW_OK);
    mw_session_config_free(config); /* the session keeps a copy */
    const uint8_t *out = NULL;
    /* A reply is fed only once its command was taken (sent), as a real
     * transport does: the core refuses an early talker. */
    EXPECT(mw_session_receive(s, (const uint8_t *)"220 hi\r\n", 8), MW_OK);
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len == 17 && memcmp(out, "EHLO ifaxin.com\r\n", 17) == 0);
    EXPECT(mw_session_consume_output(s, len), MW_OK);
    const char *ehlo = "250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n";
    EXPECT(mw_session_receive(s, (const uint8_t *)ehlo, strlen(ehlo)), MW_OK);
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len == 33 && memcmp(out, "AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n", 33) == 0);
    mw_session_consume_output(s, len);
    EXPECT(mw_session_receive(s, (const uint8_t *)"334 UGFzc3dvcmQ6\r\n", 18), MW_OK);
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len == 14);
    mw_session_consume_output(s, len);
    EXPECT(mw_session_receive(s, (const uint8_t *)"235 ok\r\n", 8), MW_OK);
    mw_event *e = NULL;
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_READY);
    CHECK(strcmp(mw_event_type_name(e), "Ready") == 0);
    mw_event_free(e);
    mw_message *m = build_ok();
    uint64_t handle = 0;
    EXPECT(mw_session_send(s, m, &handle), MW_OK);
    mw_message_free(m); /* the session keeps its own rendering */
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len > 0 && memcmp(out, "MAIL FROM:<support@ifaxin.com>", 30) == 0);
    /* MAIL, RCPT and DATA are pipelined: send all of them before the replies come. */
    while (len > 0) {
        mw_session_consume_output(s, len);
        EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    }
    const char *limited = "536 Frequency limited\r\n503 no\r\n503 no\r\n";
    EXPECT(mw_session_receive(s, (const uint8_t *)limited, strlen(limited)), MW_OK);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_FAILED && mw_event_handle(e) == handle);
    CHECK(mw_event_error(e) == MW_ERR_RATE_LIMITED && mw_event_smtp_code(e) == 536);
    CHECK(strstr(mw_event_error_message(e), "Frequency limited") != NULL);
    mw_event_free(e);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e == NULL);
    /* The transcript: secrets masked, lines as the core prints them. */
    mw_transcript *t = NULL;
    EXPECT(mw_session_take_transcript(s, &t), MW_OK);
    CHECK(mw_transcript_count(t) >= 6);
    CHECK(strcmp(mw_transcript_line(t, 0), "S: 220 hi") == 0);
    CHECK(mw_transcript_direction(t, 0) == MW_DIRECTION_SERVER);
    CHECK(strcmp(mw_direction_name(mw_transcript_direction(t, 1)), "client") == 0);
    CHECK(strcmp(mw_transcript_text(t, 1), "EHLO ifaxin.com") == 0);
    for (size_t i = 0; i < mw_transcript_count(t); i++) CHECK(strstr(mw_transcript_text(t, i), "YXBpX2tleQ") == NULL);
    CHECK(mw_transcript_text(t, 999) == NULL);
    mw_transcript_free(t);
    /* The cause of a lost connection decides the kind (the core's rule). */
    EXPECT(mw_session_connection_lost(s, 99, NULL, 0), MW_ERR_INVALID_OPTION);
    m = build_ok();
    EXPECT(mw_session_send(s, m, &handle), MW_OK);
    mw_message_free(m);
    EXPECT(mw_session_connection_lost(s, MW_LOSS_TIMEOUT, "read: 20 s", 10), MW_OK);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_FAILED && mw_event_error(e) == MW_ERR_TIMEOUT);
    CHECK(e != NULL && strstr(mw_event_error_message(e), "read: 20 s") != NULL);
    mw_event_free(e);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_ERROR && mw_event_error(e) == MW_ERR_TIMEOUT);
    mw_event_free(e);
    mw_session_free(s);
    mw_credentials_free(c);

    mw_x_smtpapi *api = mw_x_smtpapi_new();
    const char *values[] = {"Ben"};
    EXPECT(mw_x_smtpapi_to(api, "ben@ifaxin.com"), MW_OK);
    EXPECT(mw_x_smtpapi_sub(api, "%name%", values, 1), MW_OK);
    EXPECT(mw_x_smtpapi_tracking(api, 1, -1, 0), MW_OK);
    char *encoded = NULL;
    EXPECT(mw_x_smtpapi_encode(api, &encoded), MW_OK);
    CHECK(encoded != NULL && strlen(encoded) > 20);
    mw_string_free(encoded);
    EXPECT(mw_x_smtpapi_sub(api, "%name%", NULL, 0), MW_OK);
    EXPECT(mw_x_smtpapi_encode(api, &encoded), MW_ERR_X_SMTPAPI_INVALID);
    mw_x_smtpapi_free(api);
    /* A refused call is sticky: the value can no longer be encoded or used. */
    api = mw_x_smtpapi_new();
    EXPECT(mw_x_smtpapi_to(api, "ben@ifaxin.com"), MW_OK);
    EXPECT(mw_x_smtpapi_tracking(api, 2, -1, 0), MW_ERR_INVALID_ARGUMENT);
    EXPECT(mw_x_smtpapi_tracking(api, 1, -1, 0), MW_OK);
    encoded = NULL;
    EXPECT(mw_x_smtpapi_encode(api, &encoded), MW_ERR_INVALID_ARGUMENT);
    CHECK(encoded == NULL);
    mw_x_smtpapi_free(api);
}


/* #16: a builder that saw a setter error fails at build with that first
 * error (same code, same message), whatever was set afterwards. */
static mw_message_builder *valid_builder(void) {
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "support@ifaxin.com");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_subject(b, "hello");
    mw_message_builder_text(b, "body");
    return b;
}

typedef mw_result (*setter_fn)(mw_message_builder *b);
static mw_result bad_subject_utf8(mw_message_builder *b) { return mw_message_builder_subject(b, BAD_UTF8); }
static mw_result null_text(mw_message_builder *b) { return mw_message_builder_text(b, NULL); }
static mw_result bad_utf8_address(mw_message_builder *b) { return mw_message_builder_to(b, "ben\xff@ifaxin.com"); }
static mw_result bad_mailbox_field(mw_message_builder *b) { return mw_message_builder_add_mailbox(b, 42, NULL, "a@b.com"); }
static mw_result null_address(mw_message_builder *b) { return mw_message_builder_add_mailbox(b, MW_FIELD_CC, "n", NULL); }
static mw_result bad_header_utf8(mw_message_builder *b) { return mw_message_builder_header(b, "X-A", BAD_UTF8); }
static mw_result null_attachment(mw_message_builder *b) {
    return mw_message_builder_attachment(b, "a.bin", "application/octet-stream", NULL, 3);
}
static mw_result bad_html_len(mw_message_builder *b) { return mw_message_builder_html_len(b, "\xc3", 1); }
static mw_result poisoned_api(mw_message_builder *b) {
    mw_x_smtpapi *api = mw_x_smtpapi_new();
    mw_x_smtpapi_to(api, BAD_UTF8);
    mw_result rc = mw_message_builder_x_smtpapi(b, api);
    mw_x_smtpapi_free(api);
    return rc;
}

static void test_sticky_builder(void) {
    struct { const char *name; setter_fn set; mw_result code; } cases[] = {
        {"invalid UTF-8 subject", bad_subject_utf8, MW_ERR_INVALID_UTF8},
        {"NULL text", null_text, MW_ERR_NULL_PARAMETER},
        {"invalid UTF-8 address", bad_utf8_address, MW_ERR_INVALID_UTF8},
        {"bad mailbox field", bad_mailbox_field, MW_ERR_INVALID_ARGUMENT},
        {"NULL address", null_address, MW_ERR_NULL_PARAMETER},
        {"invalid UTF-8 header", bad_header_utf8, MW_ERR_INVALID_UTF8},
        {"NULL attachment data", null_attachment, MW_ERR_NULL_PARAMETER},
        {"invalid UTF-8 html with length", bad_html_len, MW_ERR_INVALID_UTF8},
        {"X-SMTPAPI that saw an error", poisoned_api, MW_ERR_INVALID_UTF8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* The error alone: the rest of the message is valid. */
        mw_message_builder *b = valid_builder();
        EXPECT(cases[i].set(b), cases[i].code);
        char first[512];
        snprintf(first, sizeof first, "%s", mw_last_error_message());
        /* Later setters work as usual (and re-setting the field does not clear the error)... */
        EXPECT(mw_message_builder_subject(b, "fixed"), MW_OK);
        EXPECT(mw_message_builder_text(b, "fixed"), MW_OK);
        /* ...and a second error does not replace the first. */
        EXPECT(mw_message_builder_from(b, NULL), MW_ERR_NULL_PARAMETER);
        mw_message *m = NULL;
        mw_result rc = mw_message_build(b, &m);
        CHECK(rc == cases[i].code && m == NULL);
        if (rc != cases[i].code || strcmp(mw_last_error_message(), first) != 0)
            fprintf(stderr, "sticky %s: build gave %s (%s), expected %s\n", cases[i].name, mw_result_name(rc),
                    mw_last_error_message(), first);
        CHECK(strcmp(mw_last_error_message(), first) == 0);
        mw_message_free(m);
    }
    /* Errors the core finds at build (a bad address, CR/LF) come after a setter's error. */
    const char *evil[] = {"nobody", "a\r\nBcc: x@y.com"};
    for (size_t i = 0; i < 2; i++) {
        mw_message_builder *b = valid_builder();
        if (i == 0) mw_message_builder_cc(b, evil[i]);
        else mw_message_builder_subject(b, evil[i]);
        EXPECT(mw_message_builder_text(b, BAD_UTF8), MW_ERR_INVALID_UTF8);
        mw_message *m = NULL;
        EXPECT(mw_message_build(b, &m), MW_ERR_INVALID_UTF8);
        /* Without the setter error, the build refuses them itself. */
        b = valid_builder();
        if (i == 0) mw_message_builder_cc(b, evil[i]);
        else mw_message_builder_subject(b, evil[i]);
        EXPECT(mw_message_build(b, &m), i == 0 ? MW_ERR_INVALID_ADDRESS : MW_ERR_HEADER_INJECTION);
        CHECK(m == NULL);
    }
    /* The owned attachment of a failed call is released, and the build fails. */
    mw_message_builder *b = valid_builder();
    EXPECT(mw_message_builder_attachment_owned(b, "a", NULL, (const uint8_t *)"x", 1, NULL, NULL), MW_ERR_NULL_PARAMETER);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_ERR_NULL_PARAMETER);
    /* A builder without errors still builds. */
    b = valid_builder();
    EXPECT(mw_message_build(b, &m), MW_OK);
    mw_message_free(m);
}

/* #14: a body with NUL (given with its length) goes out base64. */
static void test_nul_in_body(void) {
    mw_message_builder *b = valid_builder();
    EXPECT(mw_message_builder_text_len(b, "before\0after", 12), MW_OK);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    uint8_t *data = NULL;
    size_t len = 0;
    EXPECT(mw_message_to_bytes(m, &data, &len), MW_OK);
    CHECK(data != NULL && memmem(data, len, "base64", 6) != NULL && memchr(data, 0, len) == NULL);
    CHECK(data != NULL && memmem(data, len, "YmVmb3JlAGFmdGVy", 16) != NULL); /* base64 of before\0after */
    mw_bytes_free(data, len);
    mw_message_free(m);
    b = valid_builder();
    EXPECT(mw_message_builder_text_len(b, NULL, 0), MW_OK);
    EXPECT(mw_message_builder_html_len(b, NULL, 3), MW_ERR_NULL_PARAMETER);
    mw_message_builder_free(b);
}

/* Drains the output of a session into `buf` (NUL-terminated); returns its length. */
static size_t drain(mw_session *s, char *buf, size_t cap) {
    size_t total = 0;
    for (;;) {
        const uint8_t *out = NULL;
        size_t len = 0;
        if (mw_session_pending_output(s, &out, &len) != MW_OK || len == 0) break;
        size_t n = len < cap - 1 - total ? len : cap - 1 - total;
        memcpy(buf + total, out, n);
        total += n;
        mw_session_consume_output(s, len);
    }
    buf[total] = 0;
    return total;
}

static void feed(mw_session *s, const char *text) {
    EXPECT(mw_session_receive(s, (const uint8_t *)text, strlen(text)), MW_OK);
}

/* A session without TLS, greeted and ready (PIPELINING offered). */
static mw_session *ready_session(mw_session_config *config) {
    mw_session *s = NULL;
    EXPECT(mw_session_new(config, &s), MW_OK);
    char buf[4096];
    feed(s, "220 mx.test\r\n");
    drain(s, buf, sizeof buf);
    feed(s, "250-mx.test\r\n250 PIPELINING\r\n");
    drain(s, buf, sizeof buf);
    mw_event *e = NULL;
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_READY);
    mw_event_free(e);
    return s;
}

/* #10: the sans-IO deadlines, driven by the caller's clock. */
static void test_session_deadlines(void) {
    mw_session_config *config = NULL;
    EXPECT(mw_session_config_new(&config), MW_OK);
    EXPECT(mw_session_config_set_tls(config, MW_TLS_NONE), MW_OK);
    EXPECT(mw_session_config_set_reply_timeout_ms(config, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_session_config_set_reply_timeout_ms(config, 86400001), MW_ERR_INVALID_OPTION);
    EXPECT(mw_session_config_set_message_timeout_ms(config, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_session_config_set_reply_timeout_ms(config, 1000), MW_OK);
    EXPECT(mw_session_config_set_message_timeout_ms(config, 1500), MW_OK);

    /* A greeting that never completes: Timeout at the reply deadline, not before. */
    mw_session *s = NULL;
    EXPECT(mw_session_new(config, &s), MW_OK);
    uint64_t deadline = 7;
    bool has = true;
    EXPECT(mw_session_advance(s, 5000), MW_OK);
    EXPECT(mw_session_poll_timeout(s, &deadline, &has), MW_OK);
    CHECK(has && deadline == 6000);
    feed(s, "220 slow");
    EXPECT(mw_session_advance(s, 5999), MW_OK);
    mw_event *e = NULL;
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e == NULL);
    feed(s, " and slower");
    EXPECT(mw_session_advance(s, 6000), MW_OK);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_ERROR && mw_event_error(e) == MW_ERR_TIMEOUT);
    mw_event_free(e);
    EXPECT(mw_session_poll_timeout(s, &deadline, &has), MW_OK);
    CHECK(!has && deadline == 0); /* done: nothing to wait for */
    EXPECT(mw_session_advance(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_poll_timeout(s, NULL, &has), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_poll_timeout(s, &deadline, NULL), MW_ERR_NULL_PARAMETER);
    mw_session_free(s);

    /* Every reply in time, but the message as a whole too slow: Failed, Timeout. */
    EXPECT(mw_session_advance(NULL, 0), MW_ERR_NULL_PARAMETER);
    s = ready_session(config);
    EXPECT(mw_session_poll_timeout(s, &deadline, &has), MW_OK);
    CHECK(!has); /* idle: no deadline */
    mw_message *m = build_ok();
    EXPECT(mw_session_advance(s, 0), MW_OK);
    EXPECT(mw_session_send(s, m, NULL), MW_OK);
    mw_message_free(m);
    char buf[8192];
    drain(s, buf, sizeof buf);
    CHECK(strncmp(buf, "MAIL FROM:", 10) == 0);
    EXPECT(mw_session_advance(s, 900), MW_OK);
    feed(s, "250 ok\r\n250 ok\r\n354 go\r\n");
    drain(s, buf, sizeof buf);
    EXPECT(mw_session_advance(s, 1000), MW_OK);
    EXPECT(mw_session_poll_timeout(s, &deadline, &has), MW_OK);
    CHECK(has && deadline == 1500); /* the message's deadline comes before the reply's (2000) */
    EXPECT(mw_session_advance(s, 1500), MW_OK);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_FAILED && mw_event_error(e) == MW_ERR_TIMEOUT);
    CHECK(e != NULL && strstr(mw_event_error_message(e), "message") != NULL);
    mw_event_free(e);
    for (; mw_session_poll_event(s, &e) == MW_OK && e != NULL; mw_event_free(e)) {}
    mw_session_free(s);
    mw_session_config_free(config);
}

/* #5 in the session: credentials over clear text only when allowed. */
static void test_session_plaintext_auth(void) {
    mw_credentials *c = NULL;
    EXPECT(mw_credentials_new("api_user", "api_key", NULL, &c), MW_OK);
    for (int allow = 0; allow < 2; allow++) {
        mw_session_config *config = NULL;
        EXPECT(mw_session_config_new(&config), MW_OK);
        EXPECT(mw_session_config_set_tls(config, MW_TLS_OPPORTUNISTIC), MW_OK);
        EXPECT(mw_session_config_set_credentials(config, c), MW_OK);
        if (allow) EXPECT(mw_session_config_set_allow_plaintext_auth(config, true), MW_OK);
        mw_session *s = NULL;
        EXPECT(mw_session_new(config, &s), MW_OK);
        mw_session_config_free(config);
        char buf[4096];
        feed(s, "220 mx.test\r\n");
        drain(s, buf, sizeof buf);
        feed(s, "250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"); /* no STARTTLS offered */
        drain(s, buf, sizeof buf);
        /* No secret sent unless allowed: the refusal says QUIT instead. */
        CHECK(allow ? strncmp(buf, "AUTH ", 5) == 0 : strcmp(buf, "QUIT\r\n") == 0);
        mw_event *e = NULL;
        EXPECT(mw_session_poll_event(s, &e), MW_OK);
        if (allow) CHECK(e == NULL);
        else CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_ERROR && mw_event_error(e) == MW_ERR_TLS_UNAVAILABLE);
        mw_event_free(e);
        mw_session_free(s);
    }
    mw_credentials_free(c);
}

/* #13: transcripts are off by default, bounded by the core, drained by take. */
static void test_transcript_bound(void) {
    mw_session_config *config = NULL;
    EXPECT(mw_session_config_new(&config), MW_OK);
    EXPECT(mw_session_config_set_tls(config, MW_TLS_NONE), MW_OK);
    mw_session *s = ready_session(config);
    mw_transcript *t = NULL;
    EXPECT(mw_session_take_transcript(s, &t), MW_OK);
    CHECK(mw_transcript_count(t) == 0); /* off by default */
    mw_transcript_free(t);
    mw_session_free(s);

    EXPECT(mw_session_config_set_transcript(config, true), MW_OK);
    s = ready_session(config);
    mw_session_config_free(config);
    size_t max = mw_transcript_max_lines();
    CHECK(max == 10000);
    mw_message *m = build_ok();
    char buf[8192];
    /* Each message adds 7 lines (MAIL, RCPT, DATA, three replies, the final one). */
    size_t messages = max / 7 + 10;
    for (size_t i = 0; i < messages; i++) {
        EXPECT(mw_session_send(s, m, NULL), MW_OK);
        drain(s, buf, sizeof buf);
        feed(s, "250 ok\r\n250 ok\r\n354 go\r\n");
        drain(s, buf, sizeof buf);
        feed(s, "250 #id#Queued\r\n");
        mw_event *e = NULL;
        EXPECT(mw_session_poll_event(s, &e), MW_OK);
        CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_SENT);
        mw_event_free(e);
    }
    mw_message_free(m);
    CHECK(mw_session_transcript_dropped(s) > 0);
    EXPECT(mw_session_take_transcript(s, &t), MW_OK);
    CHECK(mw_transcript_count(t) == max);
    mw_transcript_free(t);
    EXPECT(mw_session_take_transcript(s, &t), MW_OK);
    CHECK(mw_transcript_count(t) == 0); /* taken: emptied */
    mw_transcript_free(t);
    CHECK(mw_session_transcript_dropped(NULL) == 0);
    mw_session_free(s);
}

static int has_raw_control(const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 1;
    return 0;
}

/* #2/#7: NUL and other control bytes from a server reach C escaped, never cut short. */
static void test_server_control_characters(void) {
    const char reply[] = "250 #q\0id\x1b[31m#Queued\x07\r\n";
    mw_reply *r = NULL;
    EXPECT(mw_reply_parse((const uint8_t *)reply, sizeof reply - 1, &r), MW_OK);
    CHECK(r != NULL && strcmp(mw_reply_queue_id(r), "q\\x00id\\x1B[31m") == 0);
    CHECK(r != NULL && strcmp(mw_reply_text(r), "#q\\x00id\\x1B[31m#Queued\\x07") == 0);
    CHECK(r != NULL && !has_raw_control(mw_reply_line(r, 0)));
    mw_reply_free(r);

    /* In a session: the queue id, the final reply, a refused recipient's reply. */
    mw_session_config *config = NULL;
    EXPECT(mw_session_config_new(&config), MW_OK);
    EXPECT(mw_session_config_set_tls(config, MW_TLS_NONE), MW_OK);
    mw_session *s = ready_session(config);
    mw_session_config_free(config);
    mw_message_builder *b = valid_builder();
    mw_message_builder_cc(b, "joe@ifaxin.com");
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    EXPECT(mw_session_send(s, m, NULL), MW_OK);
    mw_message_free(m);
    char buf[8192];
    drain(s, buf, sizeof buf);
    const char replies[] = "250 ok\r\n250 ok\r\n550 no \0such\x1b[2J user\r\n354 go\r\n";
    EXPECT(mw_session_receive(s, (const uint8_t *)replies, sizeof replies - 1), MW_OK);
    drain(s, buf, sizeof buf);
    EXPECT(mw_session_receive(s, (const uint8_t *)reply, sizeof reply - 1), MW_OK);
    mw_event *e = NULL;
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_SENT);
    const mw_send_result *res = mw_event_result(e);
    CHECK(strcmp(mw_send_result_queue_id(res), "q\\x00id\\x1B[31m") == 0);
    CHECK(strcmp(mw_send_result_text(res), "#q\\x00id\\x1B[31m#Queued\\x07") == 0);
    uint16_t code = 0;
    CHECK(mw_send_result_refused_count(res) == 1 && strcmp(mw_send_result_refused(res, 0, &code), "joe@ifaxin.com") == 0);
    CHECK(code == 550 && strcmp(mw_send_result_refused_text(res, 0), "no \\x00such\\x1B[2J user") == 0);
    CHECK(strcmp(mw_event_refused_text(e, 0), "no \\x00such\\x1B[2J user") == 0);
    CHECK(mw_send_result_refused_text(res, 1) == NULL && mw_event_refused_text(e, 1) == NULL);
    CHECK(strcmp(mw_send_result_text(NULL), "") == 0);
    mw_event_free(e);
    mw_session_free(s);
}

/* Every rule below is the core's: the library only passes values through. */
static void test_rules_from_the_core(void) {
    /* Error classification, asked of the core for every code. */
    CHECK(mw_result_is_transient(MW_ERR_RATE_LIMITED) && mw_result_is_transient(MW_ERR_CONNECT));
    CHECK(mw_result_is_transient(MW_ERR_TIMEOUT) && !mw_result_is_transient(MW_ERR_TLS));
    CHECK(!mw_result_is_transient(MW_OK) && !mw_result_is_transient(MW_ERR_PANIC) && !mw_result_is_transient(9999));
    CHECK(mw_result_category(MW_ERR_INVALID_OPTION) == MW_CATEGORY_INPUT);
    CHECK(mw_result_category(MW_ERR_RATE_LIMITED) == MW_CATEGORY_SERVER);
    CHECK(mw_result_category(MW_ERR_CONNECT) == MW_CATEGORY_CONNECTION);
    CHECK(mw_result_category(MW_ERR_NULL_PARAMETER) == MW_CATEGORY_NONE);
    CHECK(strcmp(mw_error_category_name(mw_result_category(MW_ERR_AUTH_UNAVAILABLE)), "capability") == 0);
    CHECK(mw_error_category_name(MW_CATEGORY_NONE) == NULL);
    CHECK(strcmp(mw_result_name(MW_ERR_INVALID_OPTION), "MW_ERR_INVALID_OPTION") == 0);
    CHECK(MW_ERR_INVALID_OPTION == 213);
    CHECK(strcmp(mw_result_kind_name(MW_ERR_X_SMTPAPI_INVALID), "XSmtpApiInvalid") == 0);
    CHECK(mw_result_kind_name(MW_OK) == NULL && mw_result_kind_name(MW_ERR_PANIC) == NULL);
    /* Every code from 100 to 299 the library names has a category and a kind name. */
    int kinds = 0;
    for (uint32_t code = 100; code < 300; code++) {
        if (strcmp(mw_result_name(code), "MW_ERR_UNKNOWN") == 0) continue;
        kinds++;
        CHECK(mw_result_kind_name(code) != NULL && mw_result_category(code) != MW_CATEGORY_NONE);
    }
    CHECK(kinds == 39); /* 31 + InvalidUnicode (117) + issue 13's seven (118 to 124) */
    for (uint32_t code = MW_ERR_INVALID_UNSUBSCRIBE_URI; code <= MW_ERR_CALENDAR_METHOD_MISMATCH; code++)
        CHECK(mw_result_category(code) == MW_CATEGORY_INPUT && !mw_result_is_transient(code));
    CHECK(MW_ERR_INVALID_UNSUBSCRIBE_URI == 118 && MW_ERR_CALENDAR_METHOD_MISMATCH == 124);
    CHECK(MW_ERR_INVALID_UNICODE == 117 && mw_result_category(MW_ERR_INVALID_UNICODE) == MW_CATEGORY_INPUT);
    CHECK(strcmp(mw_result_kind_name(MW_ERR_INVALID_UNICODE), "InvalidUnicode") == 0);

    /* TLS modes: the core's four names, nothing else; out of range is an option error. */
    const char *names[] = {"starttls", "opportunistic", "implicit", "none"};
    for (uint32_t i = 0; i < 4; i++) {
        mw_tls_mode mode = MW_TLS_NONE;
        EXPECT(mw_tls_mode_from_name(names[i], strlen(names[i]), &mode), MW_OK);
        CHECK(strcmp(mw_tls_mode_name(mode), names[i]) == 0);
    }
    const char *bad[] = {"required", "ssl", "tls", "never", "STARTTLS", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mw_tls_mode mode = MW_TLS_IMPLICIT;
        EXPECT(mw_tls_mode_from_name(bad[i], strlen(bad[i]), &mode), MW_ERR_INVALID_OPTION);
        CHECK(mode == MW_TLS_IMPLICIT);
    }
    CHECK(mw_tls_mode_name(4) == NULL);
    CHECK(strcmp(mw_connection_loss_name(MW_LOSS_TIMEOUT), "timeout") == 0 && mw_connection_loss_name(7) == NULL);
    mw_connection_loss cause = MW_LOSS_CLOSED;
    EXPECT(mw_connection_loss_from_name("tls", 3, &cause), MW_OK);
    CHECK(cause == MW_LOSS_TLS);
    EXPECT(mw_connection_loss_from_name("eof", 3, &cause), MW_ERR_INVALID_OPTION);
    CHECK(strcmp(mw_reply_class_name(MW_REPLY_RATE_LIMITED), "RateLimited") == 0 && mw_reply_class_name(0) == NULL);
    CHECK(strcmp(mw_mechanism_name(MW_MECHANISM_XOAUTH2), "XOAUTH2") == 0 && mw_mechanism_name(3) == NULL);
    mw_mechanism mech = MW_MECHANISM_PLAIN;
    EXPECT(mw_mechanism_from_name("login", 5, &mech), MW_OK);
    CHECK(mech == MW_MECHANISM_LOGIN);
    EXPECT(mw_mechanism_from_name("CRAM-MD5", 8, &mech), MW_ERR_INVALID_ARGUMENT);

    /* Client options: the core's defaults, the core's checks; a refused value changes nothing. */
    mw_client_options *o = NULL;
    EXPECT(mw_client_options_new("smtp.example.com", 16, &o), MW_OK);
    CHECK(mw_client_options_get_port(o) == 25 && mw_client_options_get_tls(o) == MW_TLS_STARTTLS);
    CHECK(mw_client_options_get_timeout_ms(o) == 30000 && mw_client_options_get_pipelining(o));
    EXPECT(mw_client_options_set_tls(o, MW_TLS_IMPLICIT), MW_OK);
    CHECK(mw_client_options_get_port(o) == 465);
    EXPECT(mw_client_options_set_tls(o, 42), MW_ERR_INVALID_OPTION);
    CHECK(mw_client_options_get_tls(o) == MW_TLS_IMPLICIT);
    EXPECT(mw_client_options_set_port(o, 2525), MW_OK);
    EXPECT(mw_client_options_set_port(o, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_set_port(o, 65536), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_set_port(o, -25), MW_ERR_INVALID_OPTION);
    CHECK(mw_client_options_get_port(o) == 2525);
    EXPECT(mw_client_options_set_timeout_ms(o, 0), MW_ERR_INVALID_OPTION); /* no "0 = default" */
    EXPECT(mw_client_options_set_timeout_ms(o, 86400001), MW_ERR_INVALID_OPTION);
    CHECK(mw_client_options_get_timeout_ms(o) == 30000);
    EXPECT(mw_client_options_set_timeout_ms(o, 1500), MW_OK);
    CHECK(mw_client_options_get_timeout_ms(o) == 1500);
    EXPECT(mw_client_options_set_hello_name(o, "x\r\nRSET", 7), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_set_hello_name(o, "a b", 3), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_set_hello_name(o, "[192.0.2.1]", 11), MW_OK);
    EXPECT(mw_client_options_set_hello_name(o, BAD_UTF8, strlen(BAD_UTF8)), MW_ERR_INVALID_UTF8);
    EXPECT(mw_client_options_set_pipelining(o, false), MW_OK);
    CHECK(!mw_client_options_get_pipelining(o));
    CHECK(mw_client_options_get_message_timeout_ms(o) == 300000); /* the core's default */
    EXPECT(mw_client_options_set_message_timeout_ms(o, 0), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_set_message_timeout_ms(o, 60000), MW_OK);
    CHECK(mw_client_options_get_message_timeout_ms(o) == 60000);
    /* Credentials in clear text: loopback only (the core's default), always, never. */
    CHECK(mw_client_options_get_allow_plaintext_auth(o) == MW_PLAINTEXT_AUTH_LOOPBACK_ONLY);
    EXPECT(mw_client_options_set_allow_plaintext_auth(o, MW_PLAINTEXT_AUTH_NEVER), MW_OK);
    CHECK(mw_client_options_get_allow_plaintext_auth(o) == MW_PLAINTEXT_AUTH_NEVER);
    EXPECT(mw_client_options_set_allow_plaintext_auth(o, 3), MW_ERR_INVALID_OPTION);
    CHECK(mw_client_options_get_allow_plaintext_auth(o) == MW_PLAINTEXT_AUTH_NEVER);
    EXPECT(mw_client_options_set_allow_plaintext_auth(o, MW_PLAINTEXT_AUTH_ALWAYS), MW_OK);
    CHECK(mw_client_options_get_allow_plaintext_auth(o) == MW_PLAINTEXT_AUTH_ALWAYS);
    EXPECT(mw_client_options_set_transcript(o, true), MW_OK);
    EXPECT(mw_client_options_set_transcript(NULL, true), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_options_set_allow_plaintext_auth(NULL, 0), MW_ERR_NULL_PARAMETER);
    /* Pins: a malformed fingerprint or PEM without a certificate is an option error. */
    const char *fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    EXPECT(mw_client_options_pin_sha256(o, fp, strlen(fp)), MW_OK);
    EXPECT(mw_client_options_pin_sha256(o, "sha256 Fingerprint=00", 21), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_pin_sha256(o, fp, strlen(fp) - 1), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_pin_sha256(o, "zz", 2), MW_ERR_INVALID_OPTION);
    CHECK(mw_result_category(MW_ERR_INVALID_OPTION) == MW_CATEGORY_INPUT);
    EXPECT(mw_client_options_pin_certificate_pem(o, (const uint8_t *)"not pem", 7), MW_ERR_INVALID_OPTION);
    EXPECT(mw_client_options_add_ca_file(o, "/nonexistent/ca.pem", 19), MW_ERR_INVALID_OPTION);
    mw_client_options_free(o);
    /* The core checks options again before connecting: a bad host never opens a socket. */
    EXPECT(mw_client_options_new("", 0, &o), MW_OK);
    mw_client *client = NULL;
    EXPECT(mw_client_connect(o, &client), MW_ERR_INVALID_OPTION);
    CHECK(client == NULL);
    mw_client_options_free(o);

    /* Session configuration: the same checks. */
    mw_session_config *config = NULL;
    EXPECT(mw_session_config_new(&config), MW_OK);
    EXPECT(mw_session_config_set_hello_name(config, "bad name", 8), MW_ERR_INVALID_OPTION);
    EXPECT(mw_session_config_set_tls(config, 9), MW_ERR_INVALID_OPTION);
    mw_session *s = NULL;
    EXPECT(mw_session_new(config, &s), MW_OK); /* the refused values changed nothing */
    const uint8_t *out = NULL;
    size_t len = 0;
    EXPECT(mw_session_receive(s, (const uint8_t *)"220 hi\r\n", 8), MW_OK);
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len == 16 && memcmp(out, "EHLO localhost\r\n", 16) == 0); /* the core's default name */
    mw_session_free(s);
    mw_session_config_free(config);

    /* Credentials are checked when made, with their lengths (a NUL inside is refused). */
    mw_credentials *c = NULL;
    EXPECT(mw_credentials_from_parts("u", 1, "a\0b", 3, NULL, 0, false, &c), MW_ERR_INVALID_CREDENTIALS);
    EXPECT(mw_credentials_new("u", "k", "1#2", &c), MW_ERR_INVALID_CREDENTIALS);
    EXPECT(mw_credentials_new_oauth2("u", "", NULL, &c), MW_ERR_INVALID_CREDENTIALS);
    CHECK(c == NULL);
    EXPECT(mw_credentials_new_oauth2("me@ifaxin.com", "ya29.token", "7", &c), MW_OK);
    CHECK(strcmp(mw_credentials_username(c), "me@ifaxin.com#7") == 0);
    mw_credentials_free(c);

    /* Replies: lines, the core's class and its transient flag. */
    mw_reply *r = NULL;
    const char *multi = "250-mx.test\r\n250 2.0.0 ok\r\n";
    EXPECT(mw_reply_parse((const uint8_t *)multi, strlen(multi), &r), MW_OK);
    CHECK(mw_reply_line_count(r) == 2 && strcmp(mw_reply_line(r, 1), "2.0.0 ok") == 0 && mw_reply_line(r, 2) == NULL);
    CHECK(!mw_reply_is_transient(r) && strcmp(mw_reply_class_name(mw_reply_get_class(r)), "Positive") == 0);
    mw_reply_free(r);
    EXPECT(mw_reply_parse((const uint8_t *)"451 later\r\n", 11, &r), MW_OK);
    CHECK(mw_reply_is_transient(r));
    mw_reply_free(r);
}

int main(void) {
    test_nulls();
    test_utf8_and_injection();
    test_ownership_and_streaming();
    test_smtp_pieces();
    test_rules_from_the_core();
    test_sticky_builder();
    test_nul_in_body();
    test_session_deadlines();
    test_session_plaintext_auth();
    test_transcript_bound();
    test_server_control_characters();
    printf("api checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
