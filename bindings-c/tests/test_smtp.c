/* Sending to the local Haraka (started by run-tests.sh): STARTTLS, AUTH LOGIN
 * with a label, several messages on one connection, a wrong key, an
 * untrusted certificate, and pinning Haraka's own certificate (by PEM and
 * by fingerprint; a wrong pin is a TLS error). */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks = 0, failures = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond, mw_last_error_message() ? mw_last_error_message() : "none"); } } while (0)

static mw_message *message(int n) {
    char subject[64];
    snprintf(subject, sizeof subject, "测试内嵌图片 %d", n);
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "Support <support@ifaxin.com>");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_bcc(b, "audit@ifaxin.com");
    mw_message_builder_subject(b, subject);
    mw_message_builder_html(b, "<p><img src=\"cid:image1\"></p>");
    mw_message_builder_inline(b, "image1", "image/png", (const uint8_t *)"\x89PNG", 4, NULL);
    mw_message *m = NULL;
    CHECK(mw_message_build(b, &m) == MW_OK);
    return m;
}

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

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *data = malloc(1 << 16);
    *len = fread(data, 1, (1 << 16) - 1, f);
    fclose(f);
    return data;
}

/* Options for the local Haraka; `ca` may be NULL (then nothing extra is trusted). */
static mw_client_options *options(const char *port, mw_tls_mode tls, const mw_credentials *creds, const char *ca) {
    mw_client_options *o = NULL;
    CHECK(mw_client_options_new("127.0.0.1", 9, &o) == MW_OK);
    CHECK(mw_client_options_set_port(o, atoi(port)) == MW_OK);
    CHECK(mw_client_options_set_tls(o, tls) == MW_OK);
    CHECK(mw_client_options_set_credentials(o, creds) == MW_OK);
    CHECK(mw_client_options_set_timeout_ms(o, 20000) == MW_OK);
    if (ca) CHECK(mw_client_options_add_ca_file(o, ca, strlen(ca)) == MW_OK);
    return o;
}

int main(void) {
    const char *port = getenv("MW_HARAKA_PORT"), *ca = getenv("MW_HARAKA_CA"), *stored = getenv("MW_HARAKA_STORED");
    const char *smtps = getenv("MW_HARAKA_SMTPS_PORT"), *cert = getenv("MW_HARAKA_CERT");
    const char *fingerprint = getenv("MW_HARAKA_FINGERPRINT");
    if (!port || !ca || !stored || !smtps || !cert || !fingerprint) {
        fprintf(stderr, "MW_HARAKA_PORT, MW_HARAKA_SMTPS_PORT, MW_HARAKA_CA, MW_HARAKA_CERT, MW_HARAKA_FINGERPRINT and "
                        "MW_HARAKA_STORED must be set (run-tests.sh starts Haraka)\n");
        return 1;
    }
    mw_credentials *creds = NULL;
    CHECK(mw_credentials_new("api_user", "api_key", "12345", &creds) == MW_OK);
    mw_client_options *opts = options(port, MW_TLS_STARTTLS, creds, ca);
    mw_client *client = NULL;
    CHECK(mw_client_connect(opts, &client) == MW_OK);
    for (int i = 0; i < 3 && client; i++) {
        mw_message *m = message(i);
        mw_send_result *r = NULL;
        CHECK(mw_client_send(client, m, &r) == MW_OK);
        if (r) {
            const char *id = mw_send_result_queue_id(r);
            CHECK(id != NULL && stored_has_label(stored, id));
            CHECK(mw_send_result_accepted_count(r) == 2 && mw_send_result_code(r) == 250);
            CHECK(strcmp(mw_send_result_accepted(r, 1), "audit@ifaxin.com") == 0);
        }
        mw_send_result_free(r);
        mw_message_free(m);
    }
    CHECK(mw_client_quit(client) == MW_OK);
    mw_message *m = message(9);
    CHECK(mw_client_send(client, m, NULL) == MW_ERR_INVALID_STATE);
    mw_client_free(client);

    /* mw_send in one call. */
    mw_send_result *r = NULL;
    CHECK(mw_send(m, opts, &r) == MW_OK && mw_send_result_queue_id(r) != NULL);
    mw_send_result_free(r);

    /* A wrong key: typed, with the server's reply code, no secret in the message. */
    mw_credentials *wrong = NULL;
    CHECK(mw_credentials_new("api_user", "wrong-key-value", "12345", &wrong) == MW_OK);
    CHECK(mw_client_options_set_credentials(opts, wrong) == MW_OK);
    client = NULL;
    CHECK(mw_client_connect(opts, &client) == MW_ERR_AUTHENTICATION_FAILED);
    CHECK(client == NULL && mw_last_error_smtp_code() == 535);
    CHECK(strcmp(mw_last_error_enhanced_code(), "5.7.8") == 0);
    CHECK(strstr(mw_last_error_message(), "wrong-key-value") == NULL);
    CHECK(!mw_result_is_transient(MW_ERR_AUTHENTICATION_FAILED));
    mw_client_options_free(opts);

    /* An untrusted certificate is a TLS error (not transient: it does not fix itself). */
    opts = options(port, MW_TLS_STARTTLS, creds, NULL);
    CHECK(mw_send(m, opts, NULL) == MW_ERR_TLS);
    CHECK(!mw_result_is_transient(MW_ERR_TLS) && mw_result_category(MW_ERR_TLS) == MW_CATEGORY_CONNECTION);
    mw_client_options_free(opts);

    /* Pinning Haraka's own certificate (no CA given): by PEM, and by the
     * fingerprint exactly as `openssl x509 -fingerprint -sha256` prints it. */
    size_t pem_len = 0;
    char *pem = read_file(cert, &pem_len);
    CHECK(pem != NULL);
    opts = options(port, MW_TLS_STARTTLS, creds, NULL);
    CHECK(mw_client_options_pin_certificate_pem(opts, (const uint8_t *)pem, pem_len) == MW_OK);
    r = NULL;
    CHECK(mw_send(m, opts, &r) == MW_OK && mw_send_result_queue_id(r) != NULL);
    mw_send_result_free(r);
    mw_client_options_free(opts);
    opts = options(smtps, MW_TLS_IMPLICIT, creds, NULL);
    CHECK(mw_client_options_pin_sha256(opts, fingerprint, strlen(fingerprint)) == MW_OK);
    CHECK(mw_send(m, opts, NULL) == MW_OK);
    mw_client_options_free(opts);

    /* A wrong pin (the CA's certificate, not the server's; or another
     * fingerprint) is a TLS error, even with the CA trusted. */
    size_t ca_len = 0;
    char *ca_pem = read_file(ca, &ca_len);
    opts = options(port, MW_TLS_STARTTLS, creds, ca);
    CHECK(mw_client_options_pin_certificate_pem(opts, (const uint8_t *)ca_pem, ca_len) == MW_OK);
    CHECK(mw_send(m, opts, NULL) == MW_ERR_TLS);
    mw_client_options_free(opts);
    const char *other = "0000000000000000000000000000000000000000000000000000000000000000";
    opts = options(port, MW_TLS_STARTTLS, creds, NULL);
    CHECK(mw_client_options_pin_sha256(opts, other, strlen(other)) == MW_OK);
    CHECK(mw_send(m, opts, NULL) == MW_ERR_TLS);
    CHECK(mw_client_options_pin_sha256(opts, "AB:CD", 5) == MW_ERR_INVALID_OPTION);
    mw_client_options_free(opts);
    free(pem);
    free(ca_pem);

    mw_message_free(m);
    mw_credentials_free(wrong);
    mw_credentials_free(creds);
    printf("smtp checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
