/*
 * address.c - getaddrinfo() and getnameinfo(), so IPv4 and IPv6 need no
 * separate code anywhere else.
 */
#include "address.h"

#include "fail.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

void resolve_listen_address(const char *host, unsigned short port,
                            struct sockaddr_storage *address, socklen_t *length)
{
    memset(address, 0, sizeof *address);
    if (host == NULL) {
        /* The original binds ('', 25000): INADDR_ANY, IPv4. */
        struct sockaddr_in *in = (struct sockaddr_in *)address;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        in->sin_port = htons(port);
        *length = sizeof *in;
        return;
    }

    struct addrinfo hints, *found;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    int status = getaddrinfo(host, service, &hints, &found);
    if (status != 0)
        fail("give -b an address of this machine, such as 127.0.0.1, 0.0.0.0 or ::",
             "cannot use bind address '%s': %s", host, gai_strerror(status));
    memcpy(address, found->ai_addr, found->ai_addrlen);
    *length = found->ai_addrlen;
    freeaddrinfo(found);
}

const char *format_address(const struct sockaddr *address, socklen_t length,
                           char text[ADDRESS_TEXT_SIZE])
{
    char host[INET6_ADDRSTRLEN], port[8];
    if (getnameinfo(address, length, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(text, ADDRESS_TEXT_SIZE, "(unknown address)");
        return text;
    }
    if (address->sa_family == AF_INET6)
        snprintf(text, ADDRESS_TEXT_SIZE, "[%s]:%s", host, port);
    else
        snprintf(text, ADDRESS_TEXT_SIZE, "%s:%s", host, port);
    return text;
}
