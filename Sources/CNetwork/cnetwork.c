#define _GNU_SOURCE
#include "cnetwork.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#endif

#define MAX_BATCH 1024
#define CONTROL_SIZE CMSG_SPACE(sizeof(uint32_t))

int stoker_recv_batch(int fd, unsigned char *buffer, int slot_size, int count,
                      int *lengths, unsigned char *truncated, uint32_t *dropped) {
    if (count > MAX_BATCH) count = MAX_BATCH;
    if (count <= 0 || slot_size <= 0) { errno = EINVAL; return -1; }
    struct mmsghdr messages[count];
    struct iovec vectors[count];
    union { struct cmsghdr align; unsigned char bytes[CONTROL_SIZE]; } control[count];
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = buffer + (size_t)i * (size_t)slot_size;
        vectors[i].iov_len = (size_t)slot_size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = control[i].bytes;
        messages[i].msg_hdr.msg_controllen = CONTROL_SIZE;
    }
    int received = recvmmsg(fd, messages, (unsigned int)count, MSG_WAITFORONE, NULL);
    if (received < 0) return -1;
    for (int i = 0; i < received; i++) {
        lengths[i] = (int)messages[i].msg_len;
        truncated[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&messages[i].msg_hdr); c; c = CMSG_NXTHDR(&messages[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                memcpy(dropped, CMSG_DATA(c), sizeof(uint32_t));
            }
        }
    }
    return received;
}

int stoker_enable_drop_counter(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
}

int stoker_set_receive_buffer(int fd, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0) return -1;
    }
    int effective = 0;
    socklen_t length = sizeof effective;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &length) != 0) return -1;
    return effective;
}

int stoker_set_receive_timeout(int fd, int milliseconds) {
    struct timeval tv = { .tv_sec = milliseconds / 1000, .tv_usec = (milliseconds % 1000) * 1000 };
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}
