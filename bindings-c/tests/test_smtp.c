/* Sending to the local Haraka (started by the Makefile): STARTTLS, AUTH LOGIN
 * with a label, several messages on one connection, a wrong key. */
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

int main(void) {
    const char *port = getenv("MW_HARAKA_PORT"), *ca = getenv("MW_HARAKA_CA"), *stored = getenv("MW_HARAKA_STORED");
    if (!port || !ca || !stored) {
        fprintf(stderr, "MW_HARAKA_PORT, MW_HARAKA_CA and MW_HARAKA_STORED must be set (the Makefile starts Haraka)\n");
        return 1;
    }
    mw_credentials *creds = NULL;
    CHECK(mw_credentials_new("api_user", "api_key", "12345", &creds) == MW_OK);
    mw_client_options opts;
    memset(&opts, 0, sizeof opts);
    opts.host = "127.0.0.1";
    opts.port = (uint16_t)atoi(port);
    opts.tls = MW_TLS_STARTTLS;
    opts.credentials = creds;
    opts.ca_file = ca;
    opts.timeout_ms = 20000;
    mw_client *client = NULL;
    CHECK(mw_client_connect(&opts, &client) == MW_OK);
    for (int i = 0; i < 3 && client; i++) {
        mw_message *m = message(i);
        mw_send_result *r = NULL;
        CHECK(mw_client_send(client, m, &r) == MW_OK);
        if (r) {
            const char *id = mw_send_result_queue_id(r);
            CHECK(id != NULL && stored_has_label(stored, id));
            CHECK(mw_send_result_accepted_count(r) == 2);
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
    CHECK(mw_send(m, &opts, &r) == MW_OK && mw_send_result_queue_id(r) != NULL);
    mw_send_result_free(r);

    /* A wrong key: typed, with the server's reply code, no secret in the message. */
    mw_credentials *wrong = NULL;
    CHECK(mw_credentials_new("api_user", "wrong-key-value", "12345", &wrong) == MW_OK);
    opts.credentials = wrong;
    client = NULL;
    CHECK(mw_client_connect(&opts, &client) == MW_ERR_AUTHENTICATION_FAILED);
    CHECK(client == NULL && mw_last_error_smtp_code() == 535);
    CHECK(strcmp(mw_last_error_enhanced_code(), "5.7.8") == 0);
    CHECK(strstr(mw_last_error_message(), "wrong-key-value") == NULL);

    /* An untrusted certificate is a TLS error. */
    opts.credentials = creds;
    opts.ca_file = NULL;
    CHECK(mw_send(m, &opts, NULL) == MW_ERR_TLS);

    mw_message_free(m);
    mw_credentials_free(wrong);
    mw_credentials_free(creds);
    printf("smtp checks: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
