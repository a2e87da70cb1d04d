/* Builds a golden vector's message through the public C API (shared by
 * test_golden.c and test_smtp_vectors.c; include after golden_vectors.h). */
#ifndef MW_BUILD_VECTOR_H
#define MW_BUILD_VECTOR_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many files in MW_TESTDATA/<sub> end with `suffix` (counted at run
 * time from the files, independently of the generated tables); -1 if the
 * folder cannot be read. */
static long mw_count_files(const char *sub, const char *suffix) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", MW_TESTDATA, sub);
    DIR *dir = opendir(path);
    if (!dir) return -1;
    long n = 0;
    size_t sl = strlen(suffix);
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > sl && strcmp(e->d_name + len - sl, suffix) == 0) n++;
    }
    closedir(dir);
    return n;
}

static mw_result mw_apply_op(mw_message_builder *b, mw_x_smtpapi **api, const mw_test_op *op) {
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
    /* Bodies with their length: a NUL inside must reach the core. */
    if (!strcmp(o, "text")) return mw_message_builder_text_len(b, op->a, op->len);
    if (!strcmp(o, "html")) return mw_message_builder_html_len(b, op->a, op->len);
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

/* Runs every builder call of `v` and builds; `*out` is the message on MW_OK. */
static mw_result mw_build_vector(const mw_test_vector *v, mw_message **out) {
    mw_message_builder *b = mw_message_builder_new();
    mw_x_smtpapi *api = NULL;
    mw_result rc = MW_OK;
    for (size_t i = 0; i < v->op_count && rc == MW_OK; i++) rc = mw_apply_op(b, &api, &v->ops[i]);
    if (rc == MW_OK) {
        rc = mw_message_build(b, out); /* consumes b */
    } else {
        mw_message_builder_free(b);
    }
    mw_x_smtpapi_free(api);
    return rc;
}
#endif
