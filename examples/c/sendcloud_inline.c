/* The SendCloud reference's inline-image example with libmailwright:
 * builds the multipart/related message (HTML + cid:image1 PNG), writes it to
 * an .eml file, and with HOST PORT USER KEY LABEL [CA] sends it over STARTTLS
 * with AUTH LOGIN as USER#LABEL.
 *
 *   sendcloud_inline OUT.eml IMAGE.png [HOST PORT USER KEY LABEL [CA.pem]]
 *
 * With MW_DKIM_KEY=key.pem (and MW_DKIM_SELECTOR) in the environment the
 * message is DKIM-signed for testdomain.sendcloud.org.
 */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, mw_result rc) {
    fprintf(stderr, "%s: %s: %s\n", what, mw_result_name((uint32_t)rc), mw_last_error_message());
    return 1;
}

static int write_file(void *ctx, const uint8_t *data, size_t len) {
    return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc < 8) {
        fprintf(stderr, "usage: %s OUT.eml IMAGE.png [HOST PORT USER KEY LABEL [CA.pem]]\n", argv[0]);
        return 2;
    }
    FILE *image = fopen(argv[2], "rb");
    if (!image) { perror(argv[2]); return 1; }
    static uint8_t png[1 << 20];
    size_t png_len = fread(png, 1, sizeof png, image);
    fclose(image);

    /* Errors are sticky: if a setter fails, mw_message_build fails with that
     * first error, so checking the build alone never sends a message missing
     * a part. */
    mw_result rc = MW_OK;
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "postmaster@testdomain.sendcloud.org");
    mw_message_builder_to(b, "test123@qq.com");
    mw_message_builder_subject(b, "python test inline image");
    mw_message_builder_html(b, "test image content <img src=\"cid:image1\" alt=\"xxxxx\">");
    mw_message_builder_inline(b, "image1", "image/png", png, png_len, NULL);
    /* One-click unsubscribe (RFC 8058), as Gmail and Yahoo ask of bulk senders. */
    mw_message_builder_list_unsubscribe(b, "https://testdomain.sendcloud.org/unsubscribe?u=test123");
    mw_message_builder_one_click_unsubscribe(b, true);
    /* DKIM with the PEM key named by MW_DKIM_KEY, if set (selector MW_DKIM_SELECTOR). */
    mw_dkim_signer *signer = NULL;
    if (getenv("MW_DKIM_KEY")) {
        FILE *pem_file = fopen(getenv("MW_DKIM_KEY"), "rb");
        if (!pem_file) { perror(getenv("MW_DKIM_KEY")); mw_message_builder_free(b); return 1; }
        char pem[16384];
        size_t pem_len = fread(pem, 1, sizeof pem, pem_file);
        fclose(pem_file);
        mw_dkim_key *key = NULL;
        rc = mw_dkim_key_from_pem(pem, pem_len, &key);
        memset(pem, 0, sizeof pem);
        const char *selector = getenv("MW_DKIM_SELECTOR") ? getenv("MW_DKIM_SELECTOR") : "mw2025";
        if (rc == MW_OK) rc = mw_dkim_signer_new("testdomain.sendcloud.org", selector, key, &signer);
        mw_dkim_key_free(key); /* the signer keeps it */
        if (rc != MW_OK) { mw_message_builder_free(b); return fail("dkim", rc); }
        mw_message_builder_dkim(b, signer); /* copied: one signer serves every message */
        mw_dkim_signer_free(signer);
    }
    mw_message *msg = NULL;
    rc = mw_message_build(b, &msg); /* b is consumed */
    if (rc != MW_OK) return fail("build", rc);

    FILE *out = fopen(argv[1], "wb");
    if (!out) { perror(argv[1]); mw_message_free(msg); return 1; }
    rc = mw_message_write(msg, write_file, out);
    fclose(out);
    if (rc != MW_OK) { mw_message_free(msg); return fail("write", rc); }
    size_t size = 0;
    mw_message_size(msg, &size);
    printf("wrote     %s\nstructure %s\nsize      %zu bytes\nenvelope  %s -> %s\n", argv[1],
           mw_message_structure(msg), size, mw_message_envelope_sender(msg), mw_message_recipient(msg, 0));

    int status = 0;
    if (argc >= 8) {
        mw_credentials *creds = NULL;
        if ((rc = mw_credentials_new(argv[5], argv[6], argv[7], &creds)) != MW_OK) {
            mw_message_free(msg);
            return fail("credentials", rc);
        }
        /* Defaults (port, time-outs, EHLO name) come from the library; each
         * setter checks its value. STARTTLS is the default TLS mode, and
         * credentials never go over clear text to a non-loopback host. */
        mw_client_options *options = NULL;
        rc = mw_client_options_new(argv[3], strlen(argv[3]), &options);
        if (rc == MW_OK) rc = mw_client_options_set_port(options, atoi(argv[4]));
        if (rc == MW_OK) rc = mw_client_options_set_tls(options, MW_TLS_STARTTLS);
        if (rc == MW_OK) rc = mw_client_options_set_credentials(options, creds);
        if (rc == MW_OK && argc > 8) rc = mw_client_options_add_ca_file(options, argv[8], strlen(argv[8]));
        if (rc != MW_OK) {
            mw_client_options_free(options);
            mw_credentials_free(creds);
            mw_message_free(msg);
            return fail("options", rc);
        }
        mw_send_result *result = NULL;
        rc = mw_send(msg, options, &result);
        if (rc == MW_OK) {
            printf("queue id  %s\n", mw_send_result_queue_id(result));
        } else if (mw_result_is_transient((uint32_t)rc)) { /* 536 Frequency limited, 4xx, timeouts */
            printf("%s (%u): retry later\n", mw_result_name((uint32_t)rc), (unsigned)mw_last_error_smtp_code());
            status = 75;
        } else {
            status = fail("send", rc);
        }
        mw_send_result_free(result);
        mw_client_options_free(options);
        mw_credentials_free(creds);
    }
    mw_message_free(msg);
    return status;
}
