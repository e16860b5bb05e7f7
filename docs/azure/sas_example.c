/* From a connection string to what a CBS client needs: the AMQP URL to
 * connect to, the audience and the SAS token to put to $cbs. */
#include <stdio.h>
#include <stdlib.h>

#include "famqp/auth.h"
#include "famqp/io.h"

int main(int argc, char **argv)
{
    const char *text = argc > 1 ? argv[1]
                                : "Endpoint=sb://example.servicebus.windows.net/;"
                                  "SharedAccessKeyName=RootManageSharedAccessKey;"
                                  "SharedAccessKey=gYBAavmsqJ0vmsBh8JAUPyHfh9FkYvRzU3XzjSfS6B4=;EntityPath=hub";
    famqp_connection_string cs; /* views into text */
    famqp_auth_error err;
    if (famqp_connection_string_parse(text, &cs, &err) != FAMQP_AUTH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    char url[300], audience[1024], token[4096];
    uint64_t expiry = 1700000000; /* in a real client: time(NULL) + 3600 */
    if (famqp_connection_string_amqp_url(&cs, url, sizeof url, NULL, &err) != FAMQP_AUTH_OK ||
        famqp_connection_string_audience(&cs, audience, sizeof audience, NULL, &err) != FAMQP_AUTH_OK ||
        famqp_connection_string_token(&cs, expiry, token, sizeof token, NULL, &err) != FAMQP_AUTH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    famqp_url u; /* what famqp_io_connect / famqp_client_connect take */
    famqp_io_error io_err;
    if (!famqp_url_parse(url, &u, &io_err)) {
        fprintf(stderr, "%s\n", io_err.message);
        return 1;
    }
    printf("connect to %s (host %s, port %u, TLS %s)\n", url, u.host, (unsigned)u.port, u.tls ? "yes" : "no");
    printf("entity     %.*s\n", (int)cs.entity_path.len, cs.entity_path.ptr);
    printf("audience   %s\n", audience);
    printf("token      %s\n", token);
    return 0;
}
