/* Every error path of the C API: NULL for every pointer argument, invalid
 * UTF-8, injection attempts, consumed handles, callbacks, the sans-IO session. */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    EXPECT(mw_credentials_new_oauth2(NULL, "t", &c), MW_ERR_NULL_PARAMETER);
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
    EXPECT(mw_session_connection_lost(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_consume_output(NULL, 1), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_session_pending_output(NULL, NULL, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(mw_event_get_kind(NULL) == 0 && mw_event_result(NULL) == NULL);
    mw_client *client = NULL;
    EXPECT(mw_client_connect(NULL, &client), MW_ERR_NULL_PARAMETER);
    mw_client_options opts;
    memset(&opts, 0, sizeof opts);
    EXPECT(mw_client_connect(&opts, &client), MW_ERR_NULL_PARAMETER); /* host */
    opts.host = "127.0.0.1";
    opts.tls = 42;
    EXPECT(mw_client_connect(&opts, &client), MW_ERR_INVALID_ARGUMENT);
    EXPECT(mw_client_send(NULL, ok, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_client_quit(NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_send(NULL, &opts, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_send(ok, NULL, NULL), MW_ERR_NULL_PARAMETER);
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
    mw_session_config config;
    memset(&config, 0, sizeof config);
    config.hello_name = "ifaxin.com";
    config.tls = MW_TLS_NONE;
    config.credentials = c;
    mw_session *s = NULL;
    EXPECT(mw_session_new(&config, &s), MW_OK);
    const uint8_t *out = NULL;
    const char *server = "220 hi\r\n250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n";
    EXPECT(mw_session_receive(s, (const uint8_t *)server, strlen(server)), MW_OK);
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len == 17 && memcmp(out, "EHLO ifaxin.com\r\n", 17) == 0);
    EXPECT(mw_session_consume_output(s, len), MW_OK);
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
    mw_event_free(e);
    mw_message *m = build_ok();
    uint64_t handle = 0;
    EXPECT(mw_session_send(s, m, &handle), MW_OK);
    mw_message_free(m); /* the session keeps its own rendering */
    EXPECT(mw_session_pending_output(s, &out, &len), MW_OK);
    CHECK(len > 0 && memcmp(out, "MAIL FROM:<support@ifaxin.com>", 30) == 0);
    mw_session_consume_output(s, len);
    const char *limited = "536 Frequency limited\r\n503 no\r\n503 no\r\n";
    EXPECT(mw_session_receive(s, (const uint8_t *)limited, strlen(limited)), MW_OK);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e != NULL && mw_event_get_kind(e) == MW_EVENT_FAILED && mw_event_handle(e) == handle);
    CHECK(mw_event_error(e) == MW_ERR_RATE_LIMITED && mw_event_smtp_code(e) == 536);
    CHECK(strstr(mw_event_error_message(e), "Frequency limited") != NULL);
    mw_event_free(e);
    EXPECT(mw_session_poll_event(s, &e), MW_OK);
    CHECK(e == NULL);
    EXPECT(mw_session_connection_lost(s), MW_OK);
    mw_session_free(s);
    mw_credentials_free(c);

    mw_x_smtpapi *api = mw_x_smtpapi_new();
    const char *values[] = {"Ben"};
    EXPECT(mw_x_smtpapi_to(api, "ben@ifaxin.com"), MW_OK);
    EXPECT(mw_x_smtpapi_sub(api, "%name%", values, 1), MW_OK);
    EXPECT(mw_x_smtpapi_tracking(api, 1, -1, 0), MW_OK);
    EXPECT(mw_x_smtpapi_tracking(api, 2, -1, 0), MW_ERR_INVALID_ARGUMENT);
    char *encoded = NULL;
    EXPECT(mw_x_smtpapi_encode(api, &encoded), MW_OK);
    CHECK(encoded != NULL && strlen(encoded) > 20);
    mw_string_free(encoded);
    EXPECT(mw_x_smtpapi_sub(api, "%name%", NULL, 0), MW_OK);
    EXPECT(mw_x_smtpapi_encode(api, &encoded), MW_ERR_X_SMTPAPI_INVALID);
    mw_x_smtpapi_free(api);
}

int main(void) {
    test_nulls();
    test_utf8_and_injection();
    test_ownership_and_streaming();
    test_smtp_pieces();
    printf("api checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
