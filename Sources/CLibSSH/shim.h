#ifndef STOKER_CLIBSSH_SHIM_H
#define STOKER_CLIBSSH_SHIM_H

#include <string.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <libssh/callbacks.h>

/* ssh_callbacks_init is a macro Swift cannot import: these zero a callbacks struct and set
   its size field, as the macro does. */
static inline void stoker_ssh_server_callbacks_init(struct ssh_server_callbacks_struct *callbacks) {
    memset(callbacks, 0, sizeof(*callbacks));
    ssh_callbacks_init(callbacks);
}

static inline void stoker_ssh_channel_callbacks_init(struct ssh_channel_callbacks_struct *callbacks) {
    memset(callbacks, 0, sizeof(*callbacks));
    ssh_callbacks_init(callbacks);
}

#endif
