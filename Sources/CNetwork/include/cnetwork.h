#ifndef STOKER_CNETWORK_H
#define STOKER_CNETWORK_H

#include <stdint.h>

// Linux socket calls Swift's Glibc module does not expose (recvmmsg, the SO_RXQ_OVFL control
// message), wrapped in plain C so the Swift side stays free of cmsg arithmetic.

/// Receives up to `count` datagrams with one recvmmsg(MSG_WAITFORONE): datagram i lands in
/// `buffer + i * slot_size`, its length in `lengths[i]` (truncated datagrams report slot_size
/// and set `truncated[i]`). `*dropped` receives the socket's SO_RXQ_OVFL counter when the
/// kernel attached one (left untouched otherwise). Returns the number of datagrams, or -1 with
/// errno set (EAGAIN when SO_RCVTIMEO expired first).
int stoker_recv_batch(int fd, unsigned char *buffer, int slot_size, int count,
                      int *lengths, unsigned char *truncated, uint32_t *dropped);

/// Turns on SO_RXQ_OVFL (per-socket drop counter) for `fd`. Returns 0 or -1.
int stoker_enable_drop_counter(int fd);

/// Sets the receive buffer to `bytes`, using SO_RCVBUFFORCE when permitted (root) so the
/// system limit does not cap it, else SO_RCVBUF. Returns the effective size, or -1.
int stoker_set_receive_buffer(int fd, int bytes);

/// Sets SO_RCVTIMEO so a blocking receive wakes up at least every `milliseconds`.
int stoker_set_receive_timeout(int fd, int milliseconds);

#endif
