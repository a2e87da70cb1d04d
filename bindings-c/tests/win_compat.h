/* What the tests take from POSIX 2008 and glibc and the Windows C runtime
 * lacks, for the Windows builds of the release archives' tests (mingw-w64,
 * run under wine): memmem, and open_memstream on a temporary file whose
 * bytes are handed over when it is closed. Nothing on other systems. */
#ifndef MW_WIN_COMPAT_H
#define MW_WIN_COMPAT_H
#ifdef _WIN32
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *mw_compat_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    const unsigned char *h = (const unsigned char *)haystack;
    if (needle_len == 0) return (void *)h;
    for (size_t i = 0; needle_len <= haystack_len && i <= haystack_len - needle_len; i++)
        if (memcmp(h + i, needle, needle_len) == 0) return (void *)(h + i);
    return NULL;
}

/* The open streams and where their bytes go at fclose. */
typedef struct {
    FILE *file;
    char **buffer;
    size_t *size;
} mw_compat_stream;
static mw_compat_stream mw_compat_streams[8];

static inline FILE *mw_compat_open_memstream(char **buffer, size_t *size) {
    for (size_t i = 0; i < sizeof mw_compat_streams / sizeof mw_compat_streams[0]; i++) {
        if (mw_compat_streams[i].file != NULL) continue;
        char *name = _tempnam(NULL, "mw");
        FILE *f = name ? fopen(name, "w+bD") : NULL; /* D: deleted when closed */
        free(name);
        if (f != NULL) mw_compat_streams[i] = (mw_compat_stream){f, buffer, size};
        return f;
    }
    return NULL;
}

static inline int mw_compat_fclose(FILE *f) {
    for (size_t i = 0; f != NULL && i < sizeof mw_compat_streams / sizeof mw_compat_streams[0]; i++) {
        mw_compat_stream *s = &mw_compat_streams[i];
        if (s->file != f) continue;
        s->file = NULL;
        long n = fflush(f) == 0 && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
        char *data = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (data == NULL || fseek(f, 0, SEEK_SET) != 0 || fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            fclose(f);
            return EOF;
        }
        data[n] = 0;
        *s->buffer = data;
        *s->size = (size_t)n;
    }
    return fclose(f);
}

#define memmem mw_compat_memmem
#define open_memstream mw_compat_open_memstream
#define fclose mw_compat_fclose
#endif
#endif
