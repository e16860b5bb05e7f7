/* --failover for famqp-send and famqp-recv: see failover.h. */
#define _POSIX_C_SOURCE 200809L

#include "failover.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

void tool_failover_init(tool_failover *f, const char *prog)
{
    memset(f, 0, sizeof *f);
    f->prog = prog;
}

bool tool_failover_add(tool_failover *f, const char *val)
{
    if (!val) {
        fprintf(stderr, "%s: --failover needs a URL (amqp[s]://[user:pass@]host[:port]; 1 to %d of them)\n",
                f->prog, TOOL_MAX_FAILOVER);
        return false;
    }
    if (f->count == TOOL_MAX_FAILOVER) {
        fprintf(stderr, "%s: --failover: too many URLs: give 1 to %d\n", f->prog, TOOL_MAX_FAILOVER);
        return false;
    }
    if (strlen(val) > FAMQP_CLIENT_MAX_URL_BYTES) {
        fprintf(stderr, "%s: --failover: a URL is longer than %d bytes\n", f->prog, FAMQP_CLIENT_MAX_URL_BYTES);
        return false;
    }
    famqp_url u;
    famqp_io_error err;
    /* The parser's message shows the URL without its password. */
    if (!famqp_url_parse(val, &u, &err)) {
        fprintf(stderr, "%s: --failover: %s\n", f->prog, err.message);
        return false;
    }
    for (volatile char *q = u.password; *q; q++)
        *q = 0;
    f->args[f->count++] = val;
    return true;
}

bool tool_failover_finish(tool_failover *f, const char *address)
{
    for (size_t i = 0; i < f->count; i++) {
        size_t cap = strlen(f->args[i]) + 1;
        char *base = malloc(cap), *path = malloc(cap);
        const char *addr = address;
        bool ok = base && path && tool_url_address(f->prog, f->args[i], base, cap, path, cap, &addr);
        free(path);
        if (!ok) {
            if (!base)
                fprintf(stderr, "%s: out of memory\n", f->prog);
            free(base);
            return false;
        }
        f->bases[i] = base;
    }
    return true;
}

static void remember(tool_failover *f, size_t index, const char *url)
{
    if (index > TOOL_MAX_FAILOVER || f->used[index])
        return;
    f->used[index] = strdup(url);
    if (f->used[index])
        f->order[f->nused++] = index;
}

/* The client's on_reconnect: called on the tool's thread, inside the
 * call that noticed the loss. */
static void on_reconnect(void *context, const famqp_reconnect_info *info)
{
    tool_failover *f = context;
    /* A progress line may be drawn on a terminal: start clean. */
    const char *clear = isatty(STDERR_FILENO) == 1 ? "\r\033[K" : "";
    if (info->reconnected) {
        remember(f, info->new_index, info->new_url);
        fprintf(stderr, "%s%s: connection to %s lost (%s); reconnected to %s after %u attempt%s\n", clear, f->prog,
                info->old_url, info->reason, info->new_url, info->attempts, info->attempts == 1 ? "" : "s");
    } else {
        fprintf(stderr, "%s%s: connection to %s lost (%s); giving up after %u attempt%s\n", clear, f->prog,
                info->old_url, info->reason, info->attempts, info->attempts == 1 ? "" : "s");
    }
}

void tool_failover_apply(tool_failover *f, famqp_client_options *co)
{
    co->reconnect.failover_urls = (const char *const *)f->bases;
    co->reconnect.failover_url_count = f->count;
    co->reconnect.on_reconnect = on_reconnect;
    co->reconnect.on_reconnect_context = f;
}

void tool_failover_connected(tool_failover *f, const famqp_client *c)
{
    remember(f, famqp_client_url_index(c), famqp_client_url(c));
}

void tool_failover_print_used(const tool_failover *f, FILE *out)
{
    fprintf(out, ", urls used %zu:", f->nused);
    for (size_t i = 0; i < f->nused; i++)
        fprintf(out, " %s", f->used[f->order[i]]);
}

void tool_failover_free(tool_failover *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->bases[i]);
        f->bases[i] = NULL;
    }
    for (size_t i = 0; i <= TOOL_MAX_FAILOVER; i++) {
        free(f->used[i]);
        f->used[i] = NULL;
    }
}
