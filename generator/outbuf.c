/* Output buffers: everything is generated in memory first so that a failed
#define _POSIX_C_SOURCE 200809L
 * run writes nothing; files are then written to temporaries and renamed. */
#include "outbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void ob_reserve(outbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        fprintf(stderr, "famqp-gen: out of memory\n");
        exit(2);
    }
    b->data = d;
    b->cap = cap;
}

void ob_printf(outbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    ob_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ob_puts(outbuf *b, const char *s)
{
    size_t n = strlen(s);
    ob_reserve(b, n);
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

void ob_free(outbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static char *join_path(const char *dir, const char *a, const char *b)
{
    size_t n = strlen(dir) + strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s) {
        fprintf(stderr, "famqp-gen: out of memory\n");
        exit(2);
    }
    snprintf(s, n, "%s/%s%s", dir, a, b);
    return s;
}

int outfiles_commit(const char *dir, outfile *files, size_t n)
{
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".tmp%ld", (long)getpid());
    char **tmp = calloc(n ? n : 1, sizeof *tmp);
    size_t written = 0;
    int rc = 0;
    for (; written < n; written++) {
        tmp[written] = join_path(dir, files[written].name, suffix);
        FILE *f = fopen(tmp[written], "wb");
        if (!f) {
            fprintf(stderr, "famqp-gen: cannot create %s: %s\n", tmp[written], strerror(errno));
            free(tmp[written]);
            rc = 1;
            break;
        }
        size_t len = files[written].buf.len;
        int bad = len && fwrite(files[written].buf.data, 1, len, f) != len;
        if (fclose(f) != 0 || bad) {
            fprintf(stderr, "famqp-gen: cannot write %s\n", tmp[written]);
            written++;
            rc = 1;
            break;
        }
    }
    if (rc) {
        for (size_t i = 0; i < written; i++) {
            remove(tmp[i]);
            free(tmp[i]);
        }
        free(tmp);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        char *final = join_path(dir, files[i].name, "");
        if (rename(tmp[i], final) != 0) {
            fprintf(stderr, "famqp-gen: cannot rename %s to %s: %s\n", tmp[i], final, strerror(errno));
            rc = 1;
        }
        free(final);
    }
    for (size_t i = 0; i < n; i++) {
        if (rc)
            remove(tmp[i]);
        free(tmp[i]);
    }
    free(tmp);
    return rc;
}
