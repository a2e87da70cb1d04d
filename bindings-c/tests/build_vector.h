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
static inline long mw_count_files(const char *sub, const char *suffix) {
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

/* What a vector's builder calls carry between them: the X-SMTPAPI value
 * and the DKIM signer being set up. */
typedef struct {
    mw_x_smtpapi *api;
    mw_dkim_signer *signer;
} mw_vector_state;

/* Reads MW_TESTDATA/dkim/<file> (a PEM key, as the core's runner does) into
 * a key handle. */
static inline mw_result mw_read_dkim_key(const char *file, mw_dkim_key **key) {
    char path[4096];
    snprintf(path, sizeof path, "%s/dkim/%s", MW_TESTDATA, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return MW_ERR_INVALID_ARGUMENT;
    }
    char pem[16384];
    size_t len = fread(pem, 1, sizeof pem, f);
    int too_long = !feof(f);
    fclose(f);
    if (too_long) return MW_ERR_INVALID_ARGUMENT;
    mw_result rc = mw_dkim_key_from_pem(pem, len, key);
    memset(pem, 0, sizeof pem); /* the caller's copy of a secret: wiped */
    return rc;
}

static uint32_t mw_canonicalization_of(const char *name) {
    return strcmp(name, "simple") == 0 ? MW_DKIM_SIMPLE : strcmp(name, "relaxed") == 0 ? MW_DKIM_RELAXED : 99;
}

/* A DKIM builder call of a vector (testdata/vectors-13). */
static mw_result mw_apply_dkim_op(mw_message_builder *b, mw_vector_state *st, const mw_test_op *op) {
    const char *o = op->op;
    if (!strcmp(o, "dkim_signer")) {
        mw_dkim_key *key = NULL;
        mw_result rc = op->c ? mw_read_dkim_key(op->c, &key) : mw_dkim_key_from_ed25519_seed(op->data, op->len, &key);
        if (rc != MW_OK) return rc;
        mw_dkim_signer_free(st->signer);
        st->signer = NULL;
        rc = mw_dkim_signer_new(op->a, op->b, key, &st->signer);
        mw_dkim_key_free(key); /* the signer keeps its own reference */
        return rc;
    }
    if (st->signer == NULL) {
        fprintf(stderr, "%s before dkim_signer\n", o);
        return MW_ERR_INVALID_ARGUMENT;
    }
    if (!strcmp(o, "dkim_canonicalization"))
        return mw_dkim_signer_canonicalization(st->signer, mw_canonicalization_of(op->a), mw_canonicalization_of(op->b));
    if (!strcmp(o, "dkim_time")) return mw_dkim_signer_time(st->signer, (int64_t)op->n);
    if (!strcmp(o, "dkim_expires_after")) return mw_dkim_signer_expires_after(st->signer, (uint64_t)op->n);
    if (!strcmp(o, "dkim")) {
        mw_result rc = mw_message_builder_dkim(b, st->signer);
        mw_dkim_signer_free(st->signer);
        st->signer = NULL;
        return rc;
    }
    fprintf(stderr, "unknown op %s\n", o);
    return MW_ERR_INVALID_ARGUMENT;
}

static mw_result mw_apply_op(mw_message_builder *b, mw_vector_state *st, const mw_test_op *op) {
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
    if (!strcmp(o, "list_unsubscribe")) return mw_message_builder_list_unsubscribe(b, op->a);
    if (!strcmp(o, "one_click_unsubscribe")) return mw_message_builder_one_click_unsubscribe(b, op->n != 0);
    if (!strcmp(o, "list_id")) return mw_message_builder_list_id(b, op->a);
    if (!strcmp(o, "calendar"))
        return mw_message_builder_calendar(b, op->a, (const char *)op->data, op->len, op->c);
    if (!strncmp(o, "dkim", 4)) return mw_apply_dkim_op(b, st, op);
    if (strncmp(o, "x_", 2) != 0) {
        fprintf(stderr, "unknown op %s\n", o);
        return MW_ERR_INVALID_ARGUMENT;
    }
    if (st->api == NULL) st->api = mw_x_smtpapi_new();
    if (!strcmp(o, "x_to")) return mw_x_smtpapi_to(st->api, op->a);
    if (!strcmp(o, "x_sub")) return mw_x_smtpapi_sub(st->api, op->a, (const char *const *)op->list, op->list_len);
    if (!strcmp(o, "x_section")) return mw_x_smtpapi_section(st->api, op->a, op->b);
    if (!strcmp(o, "x_tracking"))
        return mw_x_smtpapi_tracking(st->api, atoi(op->list[0]), atoi(op->list[1]), atoi(op->list[2]));
    if (!strcmp(o, "x_set")) return mw_message_builder_x_smtpapi(b, st->api);
    fprintf(stderr, "unknown op %s\n", o);
    return MW_ERR_INVALID_ARGUMENT;
}

/* Runs every builder call of `v` and builds; `*out` is the message on MW_OK. */
static inline mw_result mw_build_vector(const mw_test_vector *v, mw_message **out) {
    mw_message_builder *b = mw_message_builder_new();
    mw_vector_state st = {NULL, NULL};
    mw_result rc = MW_OK;
    for (size_t i = 0; i < v->op_count && rc == MW_OK; i++) rc = mw_apply_op(b, &st, &v->ops[i]);
    if (rc == MW_OK) {
        rc = mw_message_build(b, out); /* consumes b */
    } else {
        mw_message_builder_free(b);
    }
    mw_x_smtpapi_free(st.api);
    mw_dkim_signer_free(st.signer);
    return rc;
}
#endif
