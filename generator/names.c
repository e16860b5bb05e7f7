/* AMQP names ("sender-settle-mode") to C identifiers. */
#define _POSIX_C_SOURCE 200809L
#include "names.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fprintf(stderr, "famqp-gen: out of memory\n");
        exit(2);
    }
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc(n < 0 ? 1 : (size_t)n + 1);
    if (!s) {
        fprintf(stderr, "famqp-gen: out of memory\n");
        exit(2);
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *name_lower(const char *amqp)
{
    char *s = xstrdup(amqp);
    for (char *p = s; *p; p++)
        *p = *p == '-' ? '_' : (char)tolower((unsigned char)*p);
    return s;
}

char *name_upper(const char *amqp)
{
    char *s = xstrdup(amqp);
    for (char *p = s; *p; p++)
        *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    return s;
}

static const char *const reserved_members[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool",
    "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    "bool", "true", "false", "present", NULL,
};

char *name_member(const char *amqp)
{
    char *s = name_lower(amqp);
    for (int i = 0; reserved_members[i]; i++) {
        if (strcmp(s, reserved_members[i]) == 0) {
            char *t = xasprintf("%s_", s);
            free(s);
            return t;
        }
    }
    return s;
}

/* Type names famqp/codec.h and famqp/gen/wire.h already define. */
static const char *const runtime_types[] = {
    "status", "error", "limits", "binary", "string", "symbol", "decimal32", "decimal64",
    "decimal128", "uuid", "value", "list", "map", "array", "multiple", "kind", "iter", "writer",
    "reader", "code_table", NULL,
};

char *name_struct(const char *amqp)
{
    char *l = name_lower(amqp);
    char *s = NULL;
    for (int i = 0; runtime_types[i]; i++)
        if (strcmp(l, runtime_types[i]) == 0)
            s = xasprintf("famqp_%s_t", l);
    if (!s)
        s = xasprintf("famqp_%s", l);
    free(l);
    return s;
}

int name_is_valid(const char *amqp)
{
    if (!amqp || !*amqp)
        return 0;
    for (const char *p = amqp; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}
