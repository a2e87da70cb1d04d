/* Every golden vector in testdata/vectors and testdata/vectors-13 through the
 * C API, byte for byte (signed vectors included).
 * Error kinds are compared by the core's name (mw_result_kind_name). */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_vectors.h"
#include "build_vector.h"

static int run(const mw_test_vector *v) {
    mw_message *m = NULL;
    mw_result rc = mw_build_vector(v, &m);
    int ok = 1;
    if (v->expected_error) {
        const char *kind = mw_result_kind_name((uint32_t)rc);
        if (rc == MW_OK || kind == NULL || strcmp(kind, v->expected_error) != 0) {
            fprintf(stderr, "%s: expected %s, got %s\n", v->name, v->expected_error, mw_result_name((uint32_t)rc));
            ok = 0;
        }
        if (rc != MW_OK && mw_last_error_message() == NULL) ok = 0;
        mw_message_free(m);
        return ok;
    }
    if (rc != MW_OK) {
        fprintf(stderr, "%s: build failed: %s\n", v->name, mw_last_error_message());
        return 0;
    }
    uint8_t *data = NULL;
    size_t len = 0, size = 0;
    if (mw_message_to_bytes(m, &data, &len) != MW_OK || mw_message_size(m, &size) != MW_OK) ok = 0;
    if (ok && (len != v->eml_len || memcmp(data, v->eml, len) != 0)) {
        size_t at = 0;
        while (at < len && at < v->eml_len && data[at] == v->eml[at]) at++;
        fprintf(stderr, "%s: bytes differ at offset %zu (got %zu bytes, expected %zu)\n", v->name, at, len, v->eml_len);
        ok = 0;
    }
    if (size != len) ok = 0;
    /* Signed exactly when the expected bytes start with a signature. */
    int signed_expected = v->eml_len >= 15 && memcmp(v->eml, "DKIM-Signature:", 15) == 0;
    if (mw_message_is_signed(m) != (signed_expected != 0)) {
        fprintf(stderr, "%s: mw_message_is_signed is %d\n", v->name, (int)mw_message_is_signed(m));
        ok = 0;
    }
    if (strcmp(mw_message_envelope_sender(m), v->sender) != 0) ok = 0;
    if (mw_message_recipient_count(m) != v->recipient_count) ok = 0;
    for (size_t i = 0; ok && i < v->recipient_count; i++)
        if (strcmp(mw_message_recipient(m, i), v->recipients[i]) != 0) ok = 0;
    if (!ok) fprintf(stderr, "%s: envelope or size mismatch\n", v->name);
    mw_bytes_free(data, len);
    mw_message_free(m);
    return ok;
}

/* Runs one folder's table; fails if it ran fewer cases than the folder holds. */
static int run_folder(const char *folder, const mw_test_vector *vectors, size_t count) {
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (run(&vectors[i])) passed++; else failed++;
    }
    printf("golden vectors in %s: %zu passed, %zu failed\n", folder, passed, failed);
    long in_files = mw_count_files(folder, ".json");
    if (passed + failed == 0 || (long)(passed + failed) != in_files) {
        fprintf(stderr, "ran %zu golden vectors but testdata/%s holds %ld\n", passed + failed, folder, in_files);
        return 0;
    }
    return failed == 0;
}

int main(void) {
    int ok = run_folder("vectors", MW_VECTORS, MW_VECTORS_COUNT);
    /* List-Unsubscribe, DKIM (keys from testdata/dkim), calendar invitations. */
    ok &= run_folder("vectors-13", MW_VECTORS_13, MW_VECTORS_13_COUNT);
    return ok ? 0 : 1;
}
