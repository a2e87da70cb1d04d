/* Every golden vector in testdata/vectors through the C API, byte for byte. */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_vectors.h"

static mw_result apply(mw_message_builder *b, mw_x_smtpapi **api, const mw_test_op *op) {
    const char *o = op->op;
    if (!strcmp(o, "from")) return mw_message_builder_from(b, op->a);
    if (!strcmp(o, "sender")) return mw_message_builder_sender(b, op->a);
    if (!strcmp(o, "envelope_from")) return mw_message_builder_envelope_from(b, op->a);
    if (!strcmp(o, "reply_to")) return mw_message_builder_reply_to(b, op->a);
    if (!strcmp(o, "to")) return mw_message_builder_to(b, op->a);
    if (!strcmp(o, "cc")) return mw_message_builder_cc(b, op->a);
    if (!strcmp(o, "bcc")) return mw_message_builder_bcc(b, op->a);
    if (!strcmp(o, "mailbox")) return mw_message_builder_add_mailbox(b, (uint32_t)op->n, op->a, op->b);
    if (!strcmp(o, "subject")) return mw_message_builder_subject(b, op->a);
    if (!strcmp(o, "text")) return mw_message_builder_text(b, op->a);
    if (!strcmp(o, "html")) return mw_message_builder_html(b, op->a);
    if (!strcmp(o, "message_id")) return mw_message_builder_message_id(b, op->a);
    if (!strcmp(o, "boundary_seed")) return mw_message_builder_boundary_seed(b, op->a);
    if (!strcmp(o, "in_reply_to")) return mw_message_builder_in_reply_to(b, op->a);
    if (!strcmp(o, "references")) return mw_message_builder_references(b, op->a);
    if (!strcmp(o, "date")) return mw_message_builder_date(b, (int64_t)op->n);
    if (!strcmp(o, "inline")) return mw_message_builder_inline(b, op->a, op->b, op->data, op->len, op->c);
    if (!strcmp(o, "attachment")) return mw_message_builder_attachment(b, op->a, op->b, op->data, op->len);
    if (!strcmp(o, "header")) return mw_message_builder_header(b, op->a, op->b);
    if (!strcmp(o, "sc_custom")) return mw_message_builder_sc_custom(b, op->a, op->b);
    if (*api == NULL) *api = mw_x_smtpapi_new();
    if (!strcmp(o, "x_to")) return mw_x_smtpapi_to(*api, op->a);
    if (!strcmp(o, "x_sub")) return mw_x_smtpapi_sub(*api, op->a, (const char *const *)op->list, op->list_len);
    if (!strcmp(o, "x_section")) return mw_x_smtpapi_section(*api, op->a, op->b);
    if (!strcmp(o, "x_tracking"))
        return mw_x_smtpapi_tracking(*api, atoi(op->list[0]), atoi(op->list[1]), atoi(op->list[2]));
    if (!strcmp(o, "x_set")) return mw_message_builder_x_smtpapi(b, *api);
    fprintf(stderr, "unknown op %s\n", o);
    return MW_ERR_INVALID_ARGUMENT;
}

static int run(const mw_test_vector *v) {
    mw_message_builder *b = mw_message_builder_new();
    mw_x_smtpapi *api = NULL;
    mw_result rc = MW_OK;
    for (size_t i = 0; i < v->op_count && rc == MW_OK; i++) rc = apply(b, &api, &v->ops[i]);
    mw_message *m = NULL;
    if (rc == MW_OK) {
        rc = mw_message_build(b, &m);
    } else {
        mw_message_builder_free(b);
    }
    mw_x_smtpapi_free(api);
    int ok = 1;
    if (v->expected_error) {
        if (rc == MW_OK || strcmp(mw_result_name((uint32_t)rc), v->expected_error) != 0) {
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
    if (strcmp(mw_message_envelope_sender(m), v->sender) != 0) ok = 0;
    if (mw_message_recipient_count(m) != v->recipient_count) ok = 0;
    for (size_t i = 0; ok && i < v->recipient_count; i++)
        if (strcmp(mw_message_recipient(m, i), v->recipients[i]) != 0) ok = 0;
    if (!ok) fprintf(stderr, "%s: envelope or size mismatch\n", v->name);
    mw_bytes_free(data, len);
    mw_message_free(m);
    return ok;
}

int main(void) {
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < MW_VECTOR_COUNT; i++) {
        if (run(&MW_VECTORS[i])) passed++; else failed++;
    }
    printf("golden vectors: %zu passed, %zu failed\n", passed, failed);
    if (passed < 20) {
        fprintf(stderr, "too few vectors ran (%zu)\n", passed);
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
