/* The shared SMTP vectors of testdata/smtp (AUTH payloads, replies,
 * scripted sans-IO sessions) through the public C API only. Names (error
 * kinds, reply classes, event types, TLS modes, loss causes) are the core's,
 * asked of the library; fails if fewer cases ran than the files hold. */
#include <mailwright.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_vectors.h"
#include "build_vector.h"
#include "win_compat.h" /* memmem, open_memstream on Windows; nothing elsewhere */

static int failures = 0;
static const char *current = "";

static void fail(const char *what, const char *expected, const char *actual) {
    failures++;
    fprintf(stderr, "%s: %s\n  expected %s\n  actual   %s\n", current, what, expected ? expected : "(null)",
            actual ? actual : "(null)");
}

static void same_str(const char *what, const char *expected, const char *actual) {
    if ((expected == NULL) != (actual == NULL) || (expected && strcmp(expected, actual) != 0))
        fail(what, expected, actual);
}

static void same_num(const char *what, long long expected, long long actual) {
    if (expected != actual) {
        char e[32], a[32];
        snprintf(e, sizeof e, "%lld", expected);
        snprintf(a, sizeof a, "%lld", actual);
        fail(what, e, a);
    }
}

static void same_bytes(const char *what, const char *expected, size_t expected_len, const uint8_t *actual,
                       size_t len) {
    if (len != expected_len || (len && memcmp(expected, actual, len) != 0)) {
        char *a = malloc(len + 1);
        memcpy(a, actual, len);
        a[len] = 0;
        fail(what, expected, a);
        free(a);
    }
}

/* The core's kind name of a result: what the vectors' expected_error holds. */
static const char *kind(mw_result rc) {
    return rc == MW_OK ? NULL : mw_result_kind_name((uint32_t)rc);
}

/* Counts `"name":` in a vector file, independently of the generated tables. */
static long count_names(const char *file) {
    char path[4096];
    snprintf(path, sizeof path, "%s/smtp/%s", MW_TESTDATA, file);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long n = 0;
    size_t at = 0;
    const char *needle = "\"name\":";
    for (int c; (c = fgetc(f)) != EOF;) {
        at = (c == needle[at]) ? at + 1 : (c == needle[0]);
        if (needle[at] == 0) {
            n++;
            at = 0;
        }
    }
    fclose(f);
    return n;
}

/* Calls `make` (an AUTH payload function) and compares its buffer. */
#define CHECK_PAYLOAD(what, call, expected)                                        \
    do {                                                                           \
        uint8_t *data_ = NULL;                                                     \
        size_t len_ = 0;                                                           \
        mw_result rc_ = call(creds, &data_, &len_);                                \
        if (rc_ != MW_OK) {                                                        \
            fail(what, expected, mw_last_error_message());                        \
        } else {                                                                   \
            same_bytes(what, expected, strlen(expected), data_, len_);             \
            mw_bytes_free(data_, len_);                                            \
        }                                                                          \
    } while (0)

static mw_result login_username(const mw_credentials *c, uint8_t **data, size_t *len) {
    return mw_auth_login_answer("VXNlcm5hbWU6", c, false, data, len); /* 334 "Username:" */
}

static mw_result login_password(const mw_credentials *c, uint8_t **data, size_t *len) {
    return mw_auth_login_answer("UGFzc3dvcmQ6", c, true, data, len); /* 334 "Password:" */
}

static size_t run_auth(void) {
    size_t ran = 0;
    for (size_t i = 0; i < MW_AUTH_CASES_COUNT; i++, ran++) {
        const mw_auth_case *c = &MW_AUTH_CASES[i];
        current = c->name;
        mw_credentials *creds = NULL;
        mw_result rc = mw_credentials_from_parts(c->user, c->user_len, c->secret, c->secret_len, c->label,
                                                 c->label_len, c->oauth2, &creds);
        same_str("expected_error", c->expected_error, kind(rc));
        if (rc != MW_OK) continue;
        same_str("username", c->username, mw_credentials_username(creds));
        if (c->oauth2) {
            CHECK_PAYLOAD("xoauth2", mw_auth_xoauth2, c->xoauth2);
        } else {
            CHECK_PAYLOAD("login", mw_auth_login, c->login);
            CHECK_PAYLOAD("login_username", login_username, c->login_username);
            CHECK_PAYLOAD("login_password", login_password, c->login_password);
            CHECK_PAYLOAD("plain", mw_auth_plain, c->plain);
        }
        mw_credentials_free(creds);
    }
    return ran;
}

static size_t run_replies(void) {
    size_t ran = 0;
    for (size_t i = 0; i < MW_REPLY_CASES_COUNT; i++, ran++) {
        const mw_reply_case *c = &MW_REPLY_CASES[i];
        current = c->name;
        mw_reply *r = NULL;
        mw_result rc = mw_reply_parse((const uint8_t *)c->input, c->input_len, &r);
        same_str("expected_error", c->expected_error, kind(rc));
        if (rc != MW_OK) continue;
        same_num("code", c->code, mw_reply_code(r));
        same_str("enhanced", c->enhanced, mw_reply_enhanced_code(r));
        same_num("line count", (long long)c->line_count, (long long)mw_reply_line_count(r));
        for (size_t l = 0; l < c->line_count; l++) same_str("line", c->lines[l], mw_reply_line(r, l));
        same_str("class", c->class_name, mw_reply_class_name(mw_reply_get_class(r)));
        same_num("transient", c->transient, mw_reply_is_transient(r));
        same_str("queue_id", c->queue_id, mw_reply_queue_id(r));
        mw_reply_free(r);
    }
    return ran;
}

static void check_refused(const mw_test_event *want, const mw_event *e) {
    if (!want->has_refused) return;
    same_num("refused count", (long long)want->refused_count, (long long)mw_event_refused_count(e));
    for (size_t i = 0; i < want->refused_count; i++) {
        uint16_t code = 0;
        same_str("refused recipient", want->refused[i].recipient, mw_event_refused(e, i, &code));
        same_num("refused code", want->refused[i].code, code);
    }
}

static void check_event(const mw_test_event *want, const mw_event *e) {
    const char *type = mw_event_type_name(e);
    same_str("event type", want->type, type);
    if (!type) return;
    if (!strcmp(type, "Sent")) {
        const mw_send_result *r = mw_event_result(e);
        same_num("handle", want->handle, (long long)mw_event_handle(e));
        same_num("handle of the result", want->handle, (long long)mw_send_result_handle(r));
        same_str("queue_id", want->queue_id, mw_send_result_queue_id(r));
        same_num("code", want->code, mw_send_result_code(r));
        if (want->has_accepted) {
            same_num("accepted count", (long long)want->accepted_count, (long long)mw_send_result_accepted_count(r));
            for (size_t i = 0; i < want->accepted_count; i++)
                same_str("accepted", want->accepted[i], mw_send_result_accepted(r, i));
        }
        check_refused(want, e);
        same_num("refused in the result", (long long)mw_event_refused_count(e),
                 (long long)mw_send_result_refused_count(r));
    } else if (!strcmp(type, "Failed") || !strcmp(type, "Error")) {
        if (!strcmp(type, "Failed")) same_num("handle", want->handle, (long long)mw_event_handle(e));
        same_str("error", want->error, kind(mw_event_error(e)));
        uint16_t code = mw_event_smtp_code(e);
        same_num("code", want->code, code == 0 ? -1 : code);
        check_refused(want, e);
        if (mw_event_error_message(e) == NULL) fail("error message", "text", NULL);
    }
}

static mw_result make_session(const mw_session_case *c, mw_session **s) {
    mw_session_config *config = NULL;
    mw_credentials *creds = NULL;
    mw_tls_mode tls = MW_TLS_STARTTLS;
    mw_result rc = mw_session_config_new(&config);
    if (rc == MW_OK) rc = mw_session_config_set_hello_name(config, c->hello_name, c->hello_name_len);
    if (rc == MW_OK) rc = mw_tls_mode_from_name(c->tls, strlen(c->tls), &tls);
    if (rc == MW_OK) rc = mw_session_config_set_tls(config, tls);
    if (rc == MW_OK && c->has_credentials)
        rc = mw_credentials_from_parts(c->user, c->user_len, c->secret, c->secret_len, c->label, c->label_len,
                                       c->oauth2, &creds);
    if (rc == MW_OK) rc = mw_session_config_set_credentials(config, creds);
    if (rc == MW_OK) rc = mw_session_config_set_pipelining(config, c->pipelining != 0);
    if (rc == MW_OK) rc = mw_session_config_set_allow_plaintext_auth(config, c->allow_plaintext_auth != 0);
    if (rc == MW_OK) rc = mw_session_new(config, s);
    mw_credentials_free(creds); /* the configuration and the session keep copies */
    mw_session_config_free(config);
    return rc;
}

static size_t run_sessions(void) {
    size_t ran = 0;
    for (size_t i = 0; i < MW_SESSION_CASES_COUNT; i++, ran++) {
        const mw_session_case *c = &MW_SESSION_CASES[i];
        current = c->name;
        mw_session *s = NULL;
        mw_result rc = make_session(c, &s);
        same_str("expected_error", c->expected_error, kind(rc));
        if (rc != MW_OK) continue;
        for (size_t n = 0; n < c->step_count; n++) {
            const mw_test_step *step = &c->steps[n];
            char name[256];
            snprintf(name, sizeof name, "%s step %zu (%s)", c->name, n + 1, step->kind);
            current = name;
            if (!strcmp(step->kind, "send")) {
                mw_message *m = NULL;
                uint64_t handle = 0;
                if (mw_build_vector(&MW_VECTORS[step->vector], &m) != MW_OK) {
                    fail("build", MW_VECTORS[step->vector].name, mw_last_error_message());
                    continue;
                }
                rc = mw_session_send(s, m, &handle);
                mw_message_free(m); /* the session keeps its own rendering */
                same_str("expected_error", step->expected_error, kind(rc));
                same_num("handle", step->handle, rc == MW_OK ? (long long)handle : -1);
            } else if (!strcmp(step->kind, "server")) {
                rc = mw_session_receive(s, (const uint8_t *)step->arg, step->arg_len);
            } else if (!strcmp(step->kind, "tls_established")) {
                rc = mw_session_tls_established(s);
            } else if (!strcmp(step->kind, "lost")) {
                mw_connection_loss cause = MW_LOSS_CLOSED;
                rc = mw_connection_loss_from_name(step->arg, step->arg_len, &cause);
                if (rc == MW_OK) rc = mw_session_connection_lost(s, cause, NULL, 0);
            } else if (!strcmp(step->kind, "quit")) {
                rc = mw_session_quit(s);
            } else if (!strcmp(step->kind, "advance_ms")) {
                rc = mw_session_advance(s, (uint64_t)strtoull(step->arg, NULL, 10));
            } else {
                fail("step", "a known step", step->kind);
            }
            if (strcmp(step->kind, "send") != 0 && rc != MW_OK) fail("call", "MW_OK", mw_result_name((uint32_t)rc));

            /* Every byte the session wants sent now. */
            char *sent = NULL;
            size_t sent_len = 0;
            FILE *buffer = open_memstream(&sent, &sent_len);
            for (;;) {
                const uint8_t *data = NULL;
                size_t len = 0;
                if (mw_session_pending_output(s, &data, &len) != MW_OK || len == 0) break;
                fwrite(data, 1, len, buffer);
                mw_session_consume_output(s, len);
            }
            fclose(buffer);
            same_bytes("client", step->client, step->client_len, (const uint8_t *)sent, sent_len);
            free(sent);

            /* Every event, in order. */
            size_t seen = 0;
            for (mw_event *e = NULL; mw_session_poll_event(s, &e) == MW_OK && e != NULL; mw_event_free(e), seen++) {
                if (seen < step->event_count) check_event(&step->events[seen], e);
                else fail("event", "(none)", mw_event_type_name(e));
            }
            same_num("event count", (long long)step->event_count, (long long)seen);
        }
        mw_session_free(s);
    }
    return ran;
}

int main(void) {
    size_t auth = run_auth(), replies = run_replies(), sessions = run_sessions();
    long auth_in_files = count_names("auth.json"), replies_in_files = count_names("replies.json");
    long sessions_in_files = mw_count_files("smtp/sessions", ".json");
    printf("smtp vectors: %zu auth, %zu replies, %zu sessions; %d failures\n", auth, replies, sessions, failures);
    if (auth == 0 || (long)auth != auth_in_files || (long)replies != replies_in_files || replies == 0 ||
        sessions == 0 || (long)sessions != sessions_in_files) {
        fprintf(stderr, "ran fewer cases than testdata/smtp holds (%ld auth, %ld replies, %ld sessions)\n",
                auth_in_files, replies_in_files, sessions_in_files);
        return 1;
    }
    return failures == 0 ? 0 : 1;
}
