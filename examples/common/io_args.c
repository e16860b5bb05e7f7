/* --proxy and --ws-max-frame for the tools (io_args.h). */
#include "io_args.h"

#include <stdio.h>
#include <string.h>

#include "tool.h"

int tool_io_arg(const char *prog, const char *a, const char *v, famqp_io_options *io)
{
    if (!strcmp(a, "--proxy")) {
        if (!v) {
            fprintf(stderr, "%s: --proxy needs a URL (http://[user:password@]host:port)\n", prog);
            return -1;
        }
        /* A malformed proxy URL fails the connect with its reason. */
        io->proxy = v;
        return 1;
    }
    if (!strcmp(a, "--ws-max-frame")) {
        uint64_t n;
        if (!tool_arg_u64(prog, a, v, 16, 16u << 20, &n))
            return -1;
        io->ws_max_frame = (size_t)n;
        return 1;
    }
    return 0;
}
