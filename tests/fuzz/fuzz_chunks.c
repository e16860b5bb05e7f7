/* Input that a parser gets as it arrives (fuzz_target.h). */
#include <string.h>

#include "fuzz_target.h"

void fuzz_chunks(uint8_t selector, const uint8_t *data, size_t size, uint8_t *buf, size_t cap, fuzz_step_fn *step,
                 void *ctx)
{
    static const size_t chunks[8] = {1, 2, 3, 7, 64, 512, 4096, 65536};
    size_t chunk = chunks[selector & 7];
    size_t len = 0, off = 0;
    while (off < size && len < cap) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (n > cap - len)
            n = cap - len;
        memcpy(buf + len, data + off, n);
        len += n;
        off += n;
        if (step(buf, len, ctx))
            return;
    }
}
