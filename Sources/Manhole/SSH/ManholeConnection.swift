import ManholeLanguage
import CLibSSH
import Logging
import Glibc
import ServerRuntime

/// One SSH connection on its own dedicated thread: key exchange, public-key authentication,
/// then an event loop that feeds the channels' shells. The session, its channels and its event
/// are touched by this thread only; libssh callbacks only record what arrived, and the loop
/// acts on it (so every write happens from the loop, never inside a callback).
final class ManholeConnection {
    let session: ssh_session
    let peer: String
    let environment: ConnectionEnvironment
    private var logger: Logger { environment.logger }
    /// This connection's own key objects, imported from the authorised key lines.
    private var allowedKeys: [ssh_key] = []
    private var serverCallbacks: UnsafeMutablePointer<ssh_server_callbacks_struct>
    private(set) var event: ssh_event?
    private(set) var channels: [ManholeChannel] = []
    private var authenticated = false
    private var deniedAttempts = 0
    private var lastActivity = monotonicSeconds()

    /// Poll granularity of the loop: how soon a stop or a timeout is noticed.
    static let pollMilliseconds: Int32 = 100

    init(session: ssh_session, peer: String, environment: ConnectionEnvironment) {
        self.session = session
        self.peer = peer
        self.environment = environment
        serverCallbacks = .allocate(capacity: 1)
        stoker_ssh_server_callbacks_init(serverCallbacks)
    }

    deinit {
        serverCallbacks.deallocate()
    }

    func run() {
        defer { close() }
        for key in environment.keys {
            var imported: ssh_key?
            if ssh_pki_import_pubkey_base64(key.base64, ssh_key_type_from_name(key.type), &imported) == SSH_OK, let imported {
                allowedKeys.append(imported)
            }
        }
        var timeout = max(1, Int(environment.loginTimeout.rounded(.up)))
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout)

        serverCallbacks.pointee.userdata = Unmanaged.passUnretained(self).toOpaque()
        serverCallbacks.pointee.auth_pubkey_function = { _, user, key, state, userdata in
            let connection = Unmanaged<ManholeConnection>.fromOpaque(userdata!).takeUnretainedValue()
            return connection.authenticate(user: user.map { String(cString: $0) } ?? "", key: key, state: Int32(state))
        }
        serverCallbacks.pointee.channel_open_request_session_function = { _, userdata in
            let connection = Unmanaged<ManholeConnection>.fromOpaque(userdata!).takeUnretainedValue()
            return connection.openChannel()
        }
        ssh_set_server_callbacks(session, serverCallbacks)
        ssh_set_auth_methods(session, Int32(SSH_AUTH_METHOD_PUBLICKEY))

        let started = monotonicSeconds()
        guard keyExchange(deadline: started + environment.loginTimeout) else {
            logger.debug("manhole: key exchange with \(peer) failed: \(errorText)")
            return
        }
        guard let event = ssh_event_new() else { return }
        self.event = event
        ssh_event_add_session(event, session)
        lastActivity = monotonicSeconds()

        while true {
            if environment.isStopping() { break }
            let rc = ssh_event_dopoll(event, Self.pollMilliseconds)
            quickAck()
            if rc == SSH_ERROR || !isConnected { break }
            if deniedAttempts >= ManholeServer.maxAuthAttempts {
                logger.notice("manhole: \(peer) disconnected after \(deniedAttempts) refused authentication attempts")
                break
            }
            if !authenticated {
                if monotonicSeconds() - started > environment.loginTimeout {
                    logger.notice("manhole: \(peer) did not authenticate within MANHOLE_LOGIN_TIMEOUT (\(environment.loginTimeout) s)")
                    break
                }
                continue
            }
            for channel in channels { channel.pump() }
            channels.removeAll { $0.releaseIfClosed() }
            if monotonicSeconds() - lastActivity > environment.idleTimeout {
                logger.notice("manhole: \(peer) idle for MANHOLE_IDLE_TIMEOUT (\(environment.idleTimeout) s), disconnecting")
                for channel in channels { channel.write("\nidle timeout, bye\n") }
                break
            }
        }
    }

    /// Linux delays ACKs up to 40 ms; OpenSSH's client (Nagle on for exec sessions) then
    /// holds its next small packet until that ACK. Quick ACKs are re-armed after each read
    /// because the kernel clears them.
    private func quickAck() {
        var one: Int32 = 1
        setsockopt(ssh_get_fd(session), Int32(IPPROTO_TCP), 12 /* TCP_QUICKACK */, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The key exchange, driven without blocking so that every packet read is ACKed at once
    /// (see quickAck): with delayed ACKs, each client round trip of the handshake costs 40 ms.
    private func keyExchange(deadline: Double) -> Bool {
        ssh_set_blocking(session, 0)
        defer { ssh_set_blocking(session, 1) }
        let fd = ssh_get_fd(session)
        while true {
            let rc = ssh_handle_key_exchange(session)
            quickAck()
            if rc == SSH_OK { return true }
            guard rc == SSH_AGAIN, !environment.isStopping() else { return false }
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { return false }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, Int32(min(remaining, 0.1) * 1000) + 1)
        }
    }

    /// Something arrived from the client: the idle clock restarts.
    func touch() {
        lastActivity = monotonicSeconds()
    }

    var isConnected: Bool {
        ssh_is_connected(session) != 0 && (ssh_get_status(session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0
    }

    /// Runs the event loop once, for a statement waiting on Ctrl-C (`watch`, `writer.rates`).
    /// Callbacks only buffer, so this is safe while a channel's statement runs.
    func pollOnce(milliseconds: Int32) -> Bool {
        guard let event, isConnected, !environment.isStopping() else { return false }
        return ssh_event_dopoll(event, milliseconds) != SSH_ERROR
    }

    var errorText: String {
        String(cString: ssh_get_error(UnsafeMutableRawPointer(session)))
    }

    // MARK: callbacks (record only)

    private func authenticate(user: String, key: ssh_key?, state: Int32) -> Int32 {
        touch()
        let denied = Int32(SSH_AUTH_DENIED.rawValue)
        guard user == environment.user else {
            deniedAttempts += 1
            logger.notice("manhole: \(peer) refused: user \(user) is not MANHOLE_USER")
            return denied
        }
        guard let key, let _ = allowedKeys.first(where: { ssh_key_cmp(key, $0, SSH_KEY_CMP_PUBLIC) == 0 }) else {
            deniedAttempts += 1
            let description = key.map { "\(HostKeys.typeName(of: $0)) \(HostKeys.fingerprint(of: $0))" } ?? "no key"
            logger.notice("manhole: \(peer) refused: key \(description) is not authorised")
            return denied
        }
        switch state {
        case Int32(SSH_PUBLICKEY_STATE_NONE.rawValue):
            // A probe: the key would do; the client signs next.
            return Int32(SSH_AUTH_SUCCESS.rawValue)
        case Int32(SSH_PUBLICKEY_STATE_VALID.rawValue):
            authenticated = true
            logger.info("manhole: \(user) logged in from \(peer) with \(HostKeys.typeName(of: key)) \(HostKeys.fingerprint(of: key))")
            return Int32(SSH_AUTH_SUCCESS.rawValue)
        default:
            deniedAttempts += 1
            logger.notice("manhole: \(peer) refused: bad signature")
            return denied
        }
    }

    private func openChannel() -> ssh_channel? {
        touch()
        guard authenticated, channels.count < ManholeServer.maxChannelsPerConnection,
              let raw = ssh_channel_new(session)
        else { return nil }
        let channel = ManholeChannel(channel: raw, connection: self, context: environment.context)
        channels.append(channel)
        return raw
    }

    private func close() {
        if let event {
            ssh_event_remove_session(event, session)
            ssh_event_free(event)
            self.event = nil
        }
        ssh_disconnect(session)
        // Frees the remaining channels too; their callback structs go after it.
        ssh_free(session)
        channels.removeAll()
        for key in allowedKeys { ssh_key_free(key) }
        allowedKeys.removeAll()
    }
}
