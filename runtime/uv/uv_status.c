/* Names of the libuv adapter's status codes. */
#include "famqp/uv.h"

const char *famqp_uv_status_name(famqp_uv_status s)
{
    switch (s) {
    case FAMQP_UV_OK: return "FAMQP_UV_OK";
    case FAMQP_UV_ERR_ARG: return "FAMQP_UV_ERR_ARG";
    case FAMQP_UV_ERR_NOMEM: return "FAMQP_UV_ERR_NOMEM";
    case FAMQP_UV_ERR_SYSTEM: return "FAMQP_UV_ERR_SYSTEM";
    }
    return "FAMQP_UV_(unknown)";
}
