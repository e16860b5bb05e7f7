/* In-memory output buffers and the all-or-nothing write of output files. */
#ifndef FAMQP_GEN_OUTBUF_H
#define FAMQP_GEN_OUTBUF_H

#include <stddef.h>

typedef struct outbuf {
    char *data;
    size_t len, cap;
} outbuf;

/* printf-style append; aborts the program when memory runs out. */
void ob_printf(outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ob_puts(outbuf *b, const char *s);
void ob_free(outbuf *b);

/* One file to write: its name (relative to the output dir) and content. */
typedef struct outfile {
    char *name;
    outbuf buf;
} outfile;

/* Writes every file to a temporary name in dir, then renames all of them
 * into place.  On any failure, removes the temporaries, prints why and
 * returns nonzero, leaving no new output behind. */
int outfiles_commit(const char *dir, outfile *files, size_t n);

#endif
