/* imap_net.h: the transport of the IMAP sync (docs/imap.md): a TCP connection with a
 * deadline, and TLS by OpenSSL under libetpan as a mailstream "low" driver. libetpan's own
 * TLS is GnuTLS in Debian and checks no certificate at all; ours verifies the chain against
 * the system store plus [mailboxes] ca_file and the host name, reads with a deadline on a
 * non-blocking socket (a server that stalls mid-record cannot hang a thread) and within a
 * byte budget (a server that sends more than it announced, or a huge literal, is cut off
 * instead of filling memory). */
#ifndef LC_IMAP_NET_H
#define LC_IMAP_NET_H

#include <stddef.h>
#include <stdint.h>
#include <libetpan/libetpan.h>
#include "util/err.h"

/* imap_net_init makes the process's TLS context: the system's trusted certificates plus
 * ca_file (PEM; NULL or "" for none). Call once before threads start. LC_EIO when ca_file
 * cannot be read. */
lc_err imap_net_init(const char *ca_file);
/* imap_net_end frees the context, after the threads ended. */
void imap_net_end(void);

/* imap_net_connect opens a TCP connection to host:port within timeout_ms; the fd
 * (non-blocking) or -1 with a one-line reason in why. */
int imap_net_connect(const char *host, unsigned port, long timeout_ms, char *why, size_t whylen);

/* imap_tls_open runs the TLS handshake on fd (taken: closed on failure too) for host,
 * verifying the certificate, and returns a mailstream low driver over it (free it with
 * mailstream_low_free, or through the mailstream it goes into). NULL with a reason in why
 * ("the server's certificate is not trusted (...)", a network error) otherwise. */
mailstream_low *imap_tls_open(int fd, const char *host, long timeout_ms, char *why, size_t whylen);

/* imap_plain_open returns a mailstream low driver over fd (taken) without TLS, with the
 * same deadlines and budgets: what a STARTTLS connection speaks before TLS begins. NULL
 * without memory (fd closed). */
mailstream_low *imap_plain_open(int fd, long timeout_ms);

/* imap_tls_budget lets at most bytes more be read from low (one of ours) until the next
 * call, and all of it before deadline_ms (UTC ms; 0: only the per-wait timeout). A read
 * past either fails as if the connection dropped: a server that sends more than it
 * announced, or trickles a byte now and then, is cut off. bytes 0: no limit. */
void imap_tls_budget(mailstream_low *low, size_t bytes, int64_t deadline_ms);
/* imap_net_stop makes every wait of every connection end at once (the worker stops): the
 * threads blocked on a slow server come back within half a second. */
void imap_net_stop(void);
/* imap_tls_pending says whether low holds decrypted bytes not read yet (poll(2) on the fd
 * would not see them). */
int imap_tls_pending(mailstream_low *low);

#endif
