/* Issue 13 through the C API: List-Unsubscribe and one-click, List-Id,
 * calendar invitations and DKIM (mw_dkim_key, mw_dkim_signer). Typed errors,
 * NULL checks, sticky errors, keys never in error messages, and one signer
 * reused across messages and threads, checked against the golden bytes of
 * testdata/vectors-13 (which the core verifies with dkimpy). */
#include <mailwright.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_vectors.h"
#include "build_vector.h"
#include "win_compat.h" /* memmem, open_memstream on Windows; nothing elsewhere */

static int checks = 0, failures = 0;
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        int ok_ = (cond) ? 1 : 0;                                                                            \
        pthread_mutex_lock(&check_lock);                                                                     \
        checks++;                                                                                            \
        if (!ok_) {                                                                                          \
            failures++;                                                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                         \
        }                                                                                                    \
        pthread_mutex_unlock(&check_lock);                                                                   \
    } while (0)
#define EXPECT(call, code) CHECK((call) == (code))

static const char *ICS =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ifaxin//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:1@ifaxin.com\r\nDTSTAMP:20250301T090000Z\r\nDTSTART:20250310T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static mw_message_builder *base(void) {
    mw_message_builder *b = mw_message_builder_new();
    mw_message_builder_from(b, "News <news@ifaxin.com>");
    mw_message_builder_to(b, "ben@ifaxin.com");
    mw_message_builder_subject(b, "Spring news");
    mw_message_builder_text(b, "Spring news");
    mw_message_builder_html(b, "<p>Spring news</p>");
    mw_message_builder_date(b, 1426390015);
    mw_message_builder_message_id(b, "bulk@ifaxin.com");
    mw_message_builder_boundary_seed(b, "bulk");
    return b;
}

/* Builds `b`; on success the bytes (caller frees with mw_bytes_free). */
static mw_result build_bytes(mw_message_builder *b, uint8_t **data, size_t *len) {
    mw_message *m = NULL;
    *data = NULL;
    *len = 0;
    mw_result rc = mw_message_build(b, &m);
    if (rc == MW_OK) {
        CHECK(mw_message_to_bytes(m, data, len) == MW_OK);
        mw_message_free(m);
    } else {
        CHECK(m == NULL);
    }
    return rc;
}

static int contains(const uint8_t *data, size_t len, const char *needle) {
    return data != NULL && memmem(data, len, needle, strlen(needle)) != NULL;
}

static char *read_file(const char *sub, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", MW_TESTDATA, sub);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 16385);
    *len = fread(buf, 1, 16384, f);
    fclose(f);
    while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r')) buf[--*len] = 0;
    return buf;
}

static void test_unsubscribe_and_list_id(void) {
    mw_message_builder *b = base();
    EXPECT(mw_message_builder_list_unsubscribe(b, "https://u.ifaxin.com/unsubscribe?list=spring&id=8f2c"), MW_OK);
    EXPECT(mw_message_builder_list_unsubscribe(b, "mailto:unsubscribe@ifaxin.com?subject=unsubscribe"), MW_OK);
    EXPECT(mw_message_builder_one_click_unsubscribe(b, true), MW_OK);
    EXPECT(mw_message_builder_list_id(b, "Spring news <spring.news.ifaxin.com>"), MW_OK);
    uint8_t *data;
    size_t len;
    EXPECT(build_bytes(b, &data, &len), MW_OK);
    CHECK(contains(data, len,
                   "List-Unsubscribe: <https://u.ifaxin.com/unsubscribe?list=spring&id=8f2c>,\r\n"
                   " <mailto:unsubscribe@ifaxin.com?subject=unsubscribe>\r\n"));
    CHECK(contains(data, len, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    CHECK(contains(data, len, "\r\nList-Id: Spring news <spring.news.ifaxin.com>\r\n"));
    mw_bytes_free(data, len);

    /* One-click turned off again: no Post header. */
    b = base();
    mw_message_builder_list_unsubscribe(b, "https://u.ifaxin.com/x");
    mw_message_builder_one_click_unsubscribe(b, true);
    mw_message_builder_one_click_unsubscribe(b, false);
    EXPECT(build_bytes(b, &data, &len), MW_OK);
    CHECK(contains(data, len, "List-Unsubscribe: <https://u.ifaxin.com/x>\r\n"));
    CHECK(!contains(data, len, "List-Unsubscribe-Post"));
    mw_bytes_free(data, len);

    /* Typed errors, each with its core kind name. */
    struct {
        const char *uri;
        int one_click;
        const char *list_id;
        mw_result code;
        const char *kind;
    } cases[] = {
        {"http://u.ifaxin.com/x", 0, NULL, MW_ERR_INVALID_UNSUBSCRIBE_URI, "InvalidUnsubscribeUri"},
        {"ftp://u.ifaxin.com/x", 0, NULL, MW_ERR_INVALID_UNSUBSCRIBE_URI, "InvalidUnsubscribeUri"},
        {"https://u.ifaxin.com/x\r\nBcc: eve@evil.example", 0, NULL, MW_ERR_HEADER_INJECTION, "HeaderInjection"},
        {"mailto:unsubscribe@ifaxin.com", 1, NULL, MW_ERR_ONE_CLICK_REQUIRES_HTTPS, "OneClickRequiresHttps"},
        {NULL, 1, NULL, MW_ERR_ONE_CLICK_REQUIRES_HTTPS, "OneClickRequiresHttps"},
        {NULL, 0, "News <news>", MW_ERR_INVALID_LIST_ID, "InvalidListId"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        b = base();
        if (cases[i].uri) EXPECT(mw_message_builder_list_unsubscribe(b, cases[i].uri), MW_OK);
        if (cases[i].one_click) EXPECT(mw_message_builder_one_click_unsubscribe(b, true), MW_OK);
        if (cases[i].list_id) EXPECT(mw_message_builder_list_id(b, cases[i].list_id), MW_OK);
        mw_result rc = build_bytes(b, &data, &len);
        CHECK(rc == cases[i].code);
        CHECK(strcmp(mw_result_kind_name((uint32_t)rc), cases[i].kind) == 0);
        CHECK(mw_result_category((uint32_t)rc) == MW_CATEGORY_INPUT && !mw_result_is_transient((uint32_t)rc));
        CHECK(mw_last_error_message() != NULL);
        mw_bytes_free(data, len);
    }
}

static void test_calendar(void) {
    mw_message_builder *b = base();
    EXPECT(mw_message_builder_calendar(b, "request", ICS, strlen(ICS), "invite.ics"), MW_OK);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    CHECK(m && strcmp(mw_message_structure(m),
                      "multipart/mixed[multipart/alternative[text/plain, text/html, text/calendar], application/ics]") == 0);
    uint8_t *data = NULL;
    size_t len = 0;
    if (m) CHECK(mw_message_to_bytes(m, &data, &len) == MW_OK);
    CHECK(contains(data, len, "Content-Type: text/calendar; method=REQUEST; charset=utf-8\r\n"));
    CHECK(contains(data, len, "invite.ics"));
    CHECK(!mw_message_is_signed(m));
    mw_bytes_free(data, len);
    mw_message_free(m);

    /* Without an attachment name: the alternative only. */
    b = base();
    EXPECT(mw_message_builder_calendar(b, "REQUEST", ICS, strlen(ICS), NULL), MW_OK);
    EXPECT(mw_message_build(b, &m), MW_OK);
    CHECK(m && strcmp(mw_message_structure(m), "multipart/alternative[text/plain, text/html, text/calendar]") == 0);
    mw_message_free(m);

    /* Not iCalendar, a method that differs, a method that is not a token. */
    const char *not_ics = "METHOD:REQUEST\r\n";
    b = base();
    EXPECT(mw_message_builder_calendar(b, "REQUEST", not_ics, strlen(not_ics), NULL), MW_OK);
    m = NULL;
    EXPECT(mw_message_build(b, &m), MW_ERR_INVALID_CALENDAR);
    CHECK(m == NULL && strcmp(mw_result_kind_name(MW_ERR_INVALID_CALENDAR), "InvalidCalendar") == 0);
    b = base();
    EXPECT(mw_message_builder_calendar(b, "CANCEL", ICS, strlen(ICS), NULL), MW_OK);
    EXPECT(mw_message_build(b, &m), MW_ERR_CALENDAR_METHOD_MISMATCH);
    CHECK(strcmp(mw_result_kind_name(MW_ERR_CALENDAR_METHOD_MISMATCH), "CalendarMethodMismatch") == 0);
    b = base();
    EXPECT(mw_message_builder_calendar(b, "RE QUEST", ICS, strlen(ICS), NULL), MW_OK);
    EXPECT(mw_message_build(b, &m), MW_ERR_INVALID_CALENDAR);
    /* The text goes by its length: a NUL inside reaches the core's check. */
    b = base();
    EXPECT(mw_message_builder_calendar(b, "REQUEST", ICS, strlen(ICS) + 1, NULL), MW_OK);
    CHECK(mw_message_build(b, &m) != MW_OK && m == NULL);
}

static void test_nulls_and_utf8(void) {
    mw_message_builder *b = mw_message_builder_new();
    EXPECT(mw_message_builder_list_unsubscribe(NULL, "https://a.b/c"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_one_click_unsubscribe(NULL, true), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_list_id(NULL, "a.b"), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_calendar(NULL, "REQUEST", ICS, strlen(ICS), NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_dkim(NULL, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_list_unsubscribe(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_list_id(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_calendar(b, NULL, ICS, strlen(ICS), NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_calendar(b, "REQUEST", NULL, 5, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_calendar(b, "REQUEST", "\xff\xfe", 2, NULL), MW_ERR_INVALID_UTF8);
    EXPECT(mw_message_builder_calendar(b, "REQUEST", ICS, strlen(ICS), "\xff.ics"), MW_ERR_INVALID_UTF8);
    EXPECT(mw_message_builder_list_unsubscribe(b, "https://\xff"), MW_ERR_INVALID_UTF8);
    EXPECT(mw_message_builder_dkim(b, NULL), MW_ERR_NULL_PARAMETER);
    mw_message_builder_free(b);

    mw_dkim_key *key = NULL;
    mw_dkim_signer *signer = NULL;
    uint8_t seed[32] = {7};
    EXPECT(mw_dkim_key_from_pem(NULL, 10, &key), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_key_from_pem("x", 1, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_key_from_pem("\xff\xfe", 2, &key), MW_ERR_INVALID_UTF8);
    EXPECT(mw_dkim_key_from_ed25519_seed(NULL, 32, &key), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_key_from_ed25519_seed(seed, 32, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(key == NULL);
    EXPECT(mw_dkim_key_from_ed25519_seed(seed, 32, &key), MW_OK);
    EXPECT(mw_dkim_signer_new(NULL, "s", key, &signer), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_signer_new("ifaxin.com", NULL, key, &signer), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_signer_new("ifaxin.com", "s", NULL, &signer), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_signer_new("ifaxin.com", "s", key, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_signer_new("\xff", "s", key, &signer), MW_ERR_INVALID_UTF8);
    CHECK(signer == NULL);
    EXPECT(mw_dkim_signer_canonicalization(NULL, MW_DKIM_SIMPLE, MW_DKIM_SIMPLE), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_signer_time(NULL, 0), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_signer_expires_after(NULL, 1), MW_ERR_NULL_PARAMETER);
    char *record = NULL;
    EXPECT(mw_dkim_key_dns_record(NULL, &record), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_dkim_key_dns_record(key, NULL), MW_ERR_NULL_PARAMETER);
    CHECK(record == NULL);
    CHECK(mw_dkim_key_algorithm(NULL) == NULL && mw_dkim_signer_algorithm(NULL) == NULL);
    CHECK(!mw_message_is_signed(NULL));
    mw_dkim_key_free(NULL);
    mw_dkim_signer_free(NULL);
    mw_dkim_key_free(key);
}

/* A signer setter error is sticky: the builder refuses the signer with it,
 * and the build fails with it; a builder setter error is sticky too. */
static void test_sticky(void) {
    uint8_t seed[32] = {1, 2, 3};
    mw_dkim_key *key = NULL;
    mw_dkim_signer *signer = NULL;
    EXPECT(mw_dkim_key_from_ed25519_seed(seed, sizeof seed, &key), MW_OK);
    EXPECT(mw_dkim_signer_new("ifaxin.com", "ed25519", key, &signer), MW_OK);
    EXPECT(mw_dkim_signer_canonicalization(signer, MW_DKIM_RELAXED, 7), MW_ERR_INVALID_DKIM_OPTION);
    char first[256];
    snprintf(first, sizeof first, "%s", mw_last_error_message());
    EXPECT(mw_dkim_signer_time(signer, 1426390020), MW_OK);
    mw_message_builder *b = base();
    EXPECT(mw_message_builder_dkim(b, signer), MW_ERR_INVALID_DKIM_OPTION);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_ERR_INVALID_DKIM_OPTION);
    CHECK(m == NULL && strcmp(mw_last_error_message(), first) == 0);
    mw_dkim_signer_free(signer);

    b = base();
    EXPECT(mw_message_builder_list_unsubscribe(b, NULL), MW_ERR_NULL_PARAMETER);
    EXPECT(mw_message_builder_list_unsubscribe(b, "https://u.ifaxin.com/x"), MW_OK);
    EXPECT(mw_message_build(b, &m), MW_ERR_NULL_PARAMETER);
    CHECK(m == NULL);

    /* Domain, selector, time and expiry are checked when the message is built. */
    struct {
        const char *domain, *selector;
        long long time, expires;
    } bad[] = {{"ifaxin.com", "bad selector", 1426390020, 0},
               {"not a domain", "s1", 1426390020, 0},
               {"ifaxin.com", "s1", -1, 0},
               {"ifaxin.com", "s1", 1426390020, -1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        EXPECT(mw_dkim_signer_new(bad[i].domain, bad[i].selector, key, &signer), MW_OK);
        mw_dkim_signer_time(signer, bad[i].time);
        if (bad[i].expires) mw_dkim_signer_expires_after(signer, (uint64_t)bad[i].expires);
        b = base();
        EXPECT(mw_message_builder_dkim(b, signer), MW_OK);
        EXPECT(mw_message_build(b, &m), MW_ERR_INVALID_DKIM_OPTION);
        CHECK(strcmp(mw_result_kind_name(MW_ERR_INVALID_DKIM_OPTION), "InvalidDkimOption") == 0);
        mw_dkim_signer_free(signer);
    }
    mw_dkim_key_free(key);
}

/* No window of 12 characters of `secret` (its base64 body) shows in `text`. */
static int leaks(const char *text, const char *secret) {
    size_t n = strlen(secret);
    for (size_t i = 0; text && i + 12 <= n; i++) {
        if (secret[i] == '-' || secret[i] == '\n') continue;
        char window[13];
        memcpy(window, secret + i, 12);
        window[12] = 0;
        if (strchr(window, '\n') || strchr(window, '-')) continue;
        if (strstr(text, window)) return 1;
    }
    return 0;
}

static void test_keys(void) {
    size_t len = 0, dns_len = 0;
    char *pem = read_file("dkim/rsa2048.pem", &len);
    char *dns = read_file("dkim/rsa2048.dns.txt", &dns_len);
    CHECK(pem != NULL && dns != NULL);
    if (!pem || !dns) {
        free(pem);
        free(dns);
        return;
    }
    mw_dkim_key *key = NULL;
    EXPECT(mw_dkim_key_from_pem(pem, len, &key), MW_OK);
    CHECK(strcmp(mw_dkim_key_algorithm(key), "rsa-sha256") == 0);
    char *record = NULL;
    EXPECT(mw_dkim_key_dns_record(key, &record), MW_OK);
    /* The same public record OpenSSL made (testdata/dkim/README.md). */
    CHECK(record && strcmp(record, dns) == 0);
    mw_string_free(record);
    mw_dkim_key_free(key);

    /* A damaged key: typed error, and the message quotes none of it. */
    char *damaged = strdup(pem);
    damaged[len / 2] = damaged[len / 2] == 'A' ? 'B' : 'A';
    memmove(damaged + 200, damaged + 300, len - 300 + 1); /* a broken DER length */
    key = NULL;
    EXPECT(mw_dkim_key_from_pem(damaged, strlen(damaged), &key), MW_ERR_INVALID_DKIM_KEY);
    CHECK(key == NULL);
    CHECK(strcmp(mw_result_kind_name(MW_ERR_INVALID_DKIM_KEY), "InvalidDkimKey") == 0);
    CHECK(mw_last_error_message() != NULL && !leaks(mw_last_error_message(), pem));
    CHECK(!leaks(mw_last_error_message(), damaged));
    /* Not PEM at all, a public key, an encrypted key. */
    const char *not_pem[] = {"secret-material-1234567890abcdef",
                             "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA8yesmJzyRQEXi0mkgcS4I8nAIGx5H3C8yMQG2Jb1oxc=\n-----END PUBLIC KEY-----\n",
                             "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n"};
    for (size_t i = 0; i < 3; i++) {
        EXPECT(mw_dkim_key_from_pem(not_pem[i], strlen(not_pem[i]), &key), MW_ERR_INVALID_DKIM_KEY);
        CHECK(!leaks(mw_last_error_message(), not_pem[i]) && strstr(mw_last_error_message(), "1234567890") == NULL);
    }
    free(damaged);
    free(pem);
    free(dns);

    /* Ed25519: the seed file and the PEM are the same key. */
    size_t seed_len = 0, ed_len = 0;
    char *ed_pem = read_file("dkim/ed25519.pem", &ed_len);
    char *ed_dns = read_file("dkim/ed25519.dns.txt", &dns_len);
    const uint8_t seed[32] = {0x3b, 0x16, 0x2d, 0x1e, 0x41, 0xb3, 0x77, 0xcf, 0x6b, 0xd3, 0x6a, 0xe5, 0x4c, 0xf3, 0x5e, 0x8b,
                              0x92, 0x1b, 0x54, 0xd4, 0xd7, 0x36, 0xef, 0xd5, 0xad, 0x74, 0x1b, 0xf3, 0xfc, 0x52, 0xf9, 0x74};
    char *seed_b64 = read_file("dkim/ed25519.seed.b64", &seed_len);
    CHECK(seed_b64 && strcmp(seed_b64, "OxYtHkGzd89r02rlTPNei5IbVNTXNu/VrXQb8/xS+XQ=") == 0);
    mw_dkim_key *from_seed = NULL, *from_pem = NULL;
    EXPECT(mw_dkim_key_from_ed25519_seed(seed, sizeof seed, &from_seed), MW_OK);
    EXPECT(mw_dkim_key_from_pem(ed_pem, ed_len, &from_pem), MW_OK);
    CHECK(strcmp(mw_dkim_key_algorithm(from_seed), "ed25519-sha256") == 0);
    char *r1 = NULL, *r2 = NULL;
    EXPECT(mw_dkim_key_dns_record(from_seed, &r1), MW_OK);
    EXPECT(mw_dkim_key_dns_record(from_pem, &r2), MW_OK);
    CHECK(r1 && r2 && ed_dns && strcmp(r1, ed_dns) == 0 && strcmp(r2, ed_dns) == 0);
    CHECK(!leaks(r1, seed_b64 ? seed_b64 : ""));
    mw_string_free(r1);
    mw_string_free(r2);
    mw_dkim_key_free(from_seed);
    mw_dkim_key_free(from_pem);
    /* A seed of the wrong length: typed, and the bytes are not quoted. */
    EXPECT(mw_dkim_key_from_ed25519_seed(seed, 31, &key), MW_ERR_INVALID_DKIM_KEY);
    CHECK(strstr(mw_last_error_message(), "3b162d") == NULL && !leaks(mw_last_error_message(), seed_b64 ? seed_b64 : ""));
    EXPECT(mw_dkim_key_from_ed25519_seed(NULL, 0, &key), MW_ERR_INVALID_DKIM_KEY);
    free(ed_pem);
    free(ed_dns);
    free(seed_b64);
}

static const mw_test_vector *vector(const char *name) {
    for (size_t i = 0; i < MW_VECTORS_13_COUNT; i++)
        if (strcmp(MW_VECTORS_13[i].name, name) == 0) return &MW_VECTORS_13[i];
    fprintf(stderr, "no vector %s\n", name);
    return NULL;
}

/* Builds the vector's message without its own DKIM calls, signed with `signer`. */
static mw_result build_with(const mw_test_vector *v, const mw_dkim_signer *signer, mw_message **m) {
    mw_message_builder *b = mw_message_builder_new();
    mw_vector_state st = {NULL, NULL};
    mw_result rc = MW_OK;
    for (size_t i = 0; i < v->op_count && rc == MW_OK; i++)
        if (strncmp(v->ops[i].op, "dkim", 4) != 0) rc = mw_apply_op(b, &st, &v->ops[i]);
    if (rc == MW_OK) rc = mw_message_builder_dkim(b, signer);
    mw_x_smtpapi_free(st.api);
    if (rc != MW_OK) {
        mw_message_builder_free(b);
        return rc;
    }
    return mw_message_build(b, m);
}

static int same_bytes(const mw_message *m, const mw_test_vector *v) {
    uint8_t *data = NULL;
    size_t len = 0;
    if (mw_message_to_bytes(m, &data, &len) != MW_OK) return 0;
    int same = len == v->eml_len && memcmp(data, v->eml, len) == 0;
    mw_bytes_free(data, len);
    return same;
}

static mw_dkim_signer *rsa_signer(const char *domain) {
    mw_dkim_key *key = NULL;
    mw_dkim_signer *signer = NULL;
    EXPECT(mw_read_dkim_key("rsa2048.pem", &key), MW_OK);
    EXPECT(mw_dkim_signer_new(domain, "rsa2048", key, &signer), MW_OK);
    mw_dkim_key_free(key); /* the signer keeps the key */
    EXPECT(mw_dkim_signer_time(signer, 1426390020), MW_OK);
    CHECK(strcmp(mw_dkim_signer_algorithm(signer), "rsa-sha256") == 0);
    return signer;
}

/* One signer, several messages: each byte-identical to the core's verified vector. */
static void test_signer_reused(void) {
    const mw_test_vector *relaxed = vector("dkim_rsa_relaxed");
    const mw_test_vector *sendcloud = vector("dkim_sendcloud_inline");
    if (!relaxed || !sendcloud) {
        CHECK(0);
        return;
    }
    mw_dkim_signer *signer = rsa_signer("ifaxin.com");
    for (int round = 0; round < 3; round++) {
        mw_message *m = NULL;
        EXPECT(build_with(relaxed, signer, &m), MW_OK);
        CHECK(m && mw_message_is_signed(m) && same_bytes(m, relaxed));
        mw_message_free(m);
    }
    /* Without the signer: the same bytes after the DKIM-Signature lines. */
    mw_message_builder *b = mw_message_builder_new();
    mw_vector_state st = {NULL, NULL};
    for (size_t i = 0; i < relaxed->op_count; i++)
        if (strncmp(relaxed->ops[i].op, "dkim", 4) != 0) EXPECT(mw_apply_op(b, &st, &relaxed->ops[i]), MW_OK);
    mw_x_smtpapi_free(st.api);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    EXPECT(build_bytes(b, &plain, &plain_len), MW_OK);
    CHECK(plain_len > 0 && plain_len < relaxed->eml_len &&
          memcmp(relaxed->eml + relaxed->eml_len - plain_len, plain, plain_len) == 0);
    CHECK(!contains(plain, plain_len, "DKIM-Signature"));
    mw_bytes_free(plain, plain_len);
    mw_dkim_signer_free(signer);

    /* Another domain, the same key through a second signer. */
    signer = rsa_signer("testdomain.sendcloud.org");
    mw_message *m = NULL;
    EXPECT(build_with(sendcloud, signer, &m), MW_OK);
    CHECK(m && same_bytes(m, sendcloud));
    mw_message_free(m);
    mw_dkim_signer_free(signer);
}

typedef struct {
    const mw_dkim_signer *signer;
    const mw_test_vector *v;
} thread_job;

static void *sign_many(void *arg) {
    thread_job *job = arg;
    for (int i = 0; i < 5; i++) {
        mw_message *m = NULL;
        EXPECT(build_with(job->v, job->signer, &m), MW_OK);
        CHECK(m && same_bytes(m, job->v));
        mw_message_free(m);
    }
    return NULL;
}

/* One signer read by two threads at once. */
static void test_signer_shared_by_threads(void) {
    const mw_test_vector *relaxed = vector("dkim_rsa_relaxed");
    if (!relaxed) {
        CHECK(0);
        return;
    }
    mw_dkim_signer *signer = rsa_signer("ifaxin.com");
    thread_job job = {signer, relaxed};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&threads[i], NULL, sign_many, &job) == 0);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    mw_dkim_signer_free(signer);
}

/* Two signatures, RSA then Ed25519, the dual vector's bytes. */
static void test_dual(void) {
    const mw_test_vector *dual = vector("dkim_dual_rsa_ed25519");
    if (!dual) {
        CHECK(0);
        return;
    }
    mw_dkim_signer *rsa = rsa_signer("ifaxin.com");
    const uint8_t seed[32] = {0x3b, 0x16, 0x2d, 0x1e, 0x41, 0xb3, 0x77, 0xcf, 0x6b, 0xd3, 0x6a, 0xe5, 0x4c, 0xf3, 0x5e, 0x8b,
                              0x92, 0x1b, 0x54, 0xd4, 0xd7, 0x36, 0xef, 0xd5, 0xad, 0x74, 0x1b, 0xf3, 0xfc, 0x52, 0xf9, 0x74};
    mw_dkim_key *key = NULL;
    mw_dkim_signer *ed = NULL;
    EXPECT(mw_dkim_key_from_ed25519_seed(seed, sizeof seed, &key), MW_OK);
    EXPECT(mw_dkim_signer_new("ifaxin.com", "ed25519", key, &ed), MW_OK);
    mw_dkim_key_free(key);
    EXPECT(mw_dkim_signer_time(ed, 1426390020), MW_OK);
    CHECK(strcmp(mw_dkim_signer_algorithm(ed), "ed25519-sha256") == 0);
    mw_message_builder *b = mw_message_builder_new();
    mw_vector_state st = {NULL, NULL};
    for (size_t i = 0; i < dual->op_count; i++)
        if (strncmp(dual->ops[i].op, "dkim", 4) != 0) EXPECT(mw_apply_op(b, &st, &dual->ops[i]), MW_OK);
    EXPECT(mw_message_builder_dkim(b, rsa), MW_OK);
    EXPECT(mw_message_builder_dkim(b, ed), MW_OK);
    mw_dkim_signer_free(rsa); /* the builder keeps its copies */
    mw_dkim_signer_free(ed);
    mw_message *m = NULL;
    EXPECT(mw_message_build(b, &m), MW_OK);
    CHECK(m && mw_message_is_signed(m) && same_bytes(m, dual));
    mw_message_free(m);
}

int main(void) {
    test_unsubscribe_and_list_id();
    test_calendar();
    test_nulls_and_utf8();
    test_sticky();
    test_keys();
    test_signer_reused();
    test_signer_shared_by_threads();
    test_dual();
    printf("bulk sender checks: %d, failures: %d\n", checks, failures);
    return failures == 0 && checks > 0 ? 0 : 1;
}
