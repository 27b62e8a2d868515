import ManholeLanguage
import CLibSSH
import Foundation
import Logging
import ServerRuntime
import Synchronization
import Glibc

/// The manhole's SSH server over libssh: one dedicated accept thread and one dedicated thread
/// per connection, so no blocking libssh call ever runs on Swift concurrency's pool.
///
/// Public-key authentication only (MANHOLE_USER with MANHOLE_PUBLIC_KEY or a key of
/// MANHOLE_AUTHORIZED_KEYS), a connection limit, login and idle timeouts, TCP_NODELAY on every
/// connection, SIGPIPE ignored process-wide. `start()` binds and returns at once; `stop()`
/// closes the listener and every session.
public final class ManholeServer: Sendable {
    public let settings: ManholeSettings
    public let context: ManholeContext
    let logger: Logger
    private let state = Mutex(State())

    struct State {
        var started = false
        var stopping = false
        var port: Int?
        var fingerprints: [String] = []
        /// Write end of the pipe that wakes the accept thread.
        var wakeFD: Int32 = -1
        /// Open connections (counted against MANHOLE_MAX_CONNECTIONS).
        var connections = 0
        /// Live threads (accept + connections), for stop() to wait on.
        var threads = 0
    }

    /// Failed authentication attempts before the connection is dropped.
    static let maxAuthAttempts = 6
    /// Channels (sessions) one connection may open at once (ControlMaster reuse).
    static let maxChannelsPerConnection = 10

    public init(settings: ManholeSettings, context: ManholeContext, logger: Logger) {
        self.settings = settings
        self.context = context
        self.logger = logger
    }

    /// The port listened on once started (useful with MANHOLE_PORT = 0).
    public var port: Int? { state.withLock { $0.port } }

    /// `SHA256:...` fingerprints of the host keys in use.
    public var hostKeyFingerprints: [String] { state.withLock { $0.fingerprints } }

    /// Reads the authorised keys, prepares the host keys (generating the ed25519 one on first
    /// start) and listens; returns the bound port. Quick (no network wait), so it may be
    /// called from an async context.
    @discardableResult
    public func start() throws(ManholeError) -> Int {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        guard !alreadyStarted else { throw ManholeError("the manhole was already started") }
        var listening = false
        defer { if !listening { state.withLock { $0.started = false } } }
        signal(SIGPIPE, SIG_IGN)
        ssh_init()

        let keys: [AuthorizedKey]
        do {
            keys = try settings.authorizedKeys()
        } catch {
            throw ManholeError(error.description)
        }
        guard !settings.user.isEmpty else { throw ManholeError("ENABLE_MANHOLE needs a MANHOLE_USER") }

        guard let bind = ssh_bind_new() else { throw ManholeError("libssh: cannot create a server") }
        var ok = false
        defer { if !ok { ssh_bind_free(bind) } }
        var processConfig = false
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &processConfig)
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDADDR, settings.interface)
        var port = Int32(settings.port)
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDPORT, &port)
        var rsaMinimum = Int32(settings.rsaMinimumBits)
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_RSA_MIN_SIZE, &rsaMinimum)

        var fingerprints: [String] = []
        let hostKeys = try HostKeys.prepare(directory: settings.hostKeyDirectory)
        if let generated = hostKeys.generated { logger.notice("manhole: generated a new host key \(generated) (mode 0600)") }
        for path in hostKeys.paths {
            // A key libssh cannot use (DSA, encrypted) is skipped; the ed25519 key always loads.
            let key: ssh_key
            do {
                key = try HostKeys.load(path: path)
            } catch {
                logger.warning("manhole: host key skipped: \(error)")
                continue
            }
            let fingerprint = HostKeys.fingerprint(of: key)
            let type = HostKeys.typeName(of: key)
            // IMPORT_KEY takes ownership of the key.
            guard ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, UnsafeRawPointer(key)) == SSH_OK else {
                ssh_key_free(key)
                logger.warning("manhole: host key skipped: libssh refused \(path) (\(type))")
                continue
            }
            fingerprints.append(fingerprint)
            logger.info("manhole host key \(path): \(type) \(fingerprint)")
        }
        guard !fingerprints.isEmpty else {
            throw ManholeError("MANHOLE_HOST_KEY_DIR \(settings.hostKeyDirectory): no usable host key")
        }
        guard ssh_bind_listen(bind) == SSH_OK else {
            let message = String(cString: ssh_get_error(UnsafeMutableRawPointer(bind)))
            throw ManholeError("manhole: cannot listen on \(settings.interface):\(settings.port): \(message)")
        }
        let listenFD = ssh_bind_get_fd(bind)
        let boundPort = Self.localPort(of: listenFD) ?? settings.port
        _ = fcntl(listenFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw ManholeError("manhole: pipe: \(String(cString: strerror(errno)))") }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        ok = true
        listening = true
        state.withLock { state in
            state.port = boundPort
            state.fingerprints = fingerprints
            state.wakeFD = pipeFDs[1]
            state.threads += 1
        }
        let environment = ConnectionEnvironment(
            user: settings.user, keys: keys, context: context, logger: logger,
            loginTimeout: settings.loginTimeout, idleTimeout: settings.idleTimeout,
            isStopping: { [self] in state.withLock { $0.stopping } })
        let handle = BindHandle(bind: bind, listenFD: listenFD, wakeFD: pipeFDs[0])
        Self.spawn(name: "manhole-accept") { [self] in
            acceptLoop(handle, environment)
            state.withLock { $0.threads -= 1 }
        }
        logger.info("manhole listening on \(settings.interface):\(boundPort) for user \(settings.user) (\(keys.count) key\(keys.count == 1 ? "" : "s"))")
        return boundPort
    }

    /// Closes the listener, ends every session (each notices within 100 ms unless a statement
    /// is running) and waits up to `timeout` seconds for the threads to finish. Blocks the
    /// caller: from async code, use `shutdown()`.
    public func stop(timeout: Double = 5) {
        let wakeFD = state.withLock { state -> Int32 in
            state.stopping = true
            let fd = state.wakeFD
            state.wakeFD = -1
            return fd
        }
        if wakeFD >= 0 {
            var byte: UInt8 = 1
            _ = write(wakeFD, &byte, 1)
            close(wakeFD)
        }
        let deadline = monotonicSeconds() + timeout
        while state.withLock({ $0.threads }) > 0, monotonicSeconds() < deadline {
            sleepSeconds(0.01)
        }
    }

    /// `stop()` without blocking a concurrency thread: the wait runs on a dedicated thread.
    public func shutdown(timeout: Double = 5) async {
        await WorkerThread.run(name: "manhole-stop") { [self] in stop(timeout: timeout) }
    }

    /// Open connections now.
    public var connectionCount: Int { state.withLock { $0.connections } }

    // MARK: accept thread

    private func acceptLoop(_ handle: BindHandle, _ environment: ConnectionEnvironment) {
        defer {
            ssh_bind_free(handle.bind)
            close(handle.wakeFD)
        }
        while !state.withLock({ $0.stopping }) {
            var fds = [pollfd(fd: handle.listenFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: handle.wakeFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, 1000)
            if ready < 0 && errno != EINTR {
                logger.error("manhole: poll failed: \(String(cString: strerror(errno)))")
                sleepSeconds(0.1)
                continue
            }
            if fds[1].revents != 0 { break }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let fd = accept(handle.listenFD, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            // The listener is non-blocking; the connection is not (libssh's blocking mode).
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let peer = Self.peerName(of: fd)
            let admitted = state.withLock { state -> Bool in
                guard state.connections < settings.maxConnections, !state.stopping else { return false }
                state.connections += 1
                state.threads += 1
                return true
            }
            guard admitted else {
                logger.warning("manhole: connection from \(peer) refused: MANHOLE_MAX_CONNECTIONS (\(settings.maxConnections)) reached")
                close(fd)
                continue
            }
            guard let session = ssh_new() else {
                close(fd)
                release()
                continue
            }
            guard ssh_bind_accept_fd(handle.bind, session, fd) == SSH_OK else {
                logger.warning("manhole: cannot set up a session for \(peer): \(String(cString: ssh_get_error(UnsafeMutableRawPointer(handle.bind))))")
                ssh_free(session)
                release()
                continue
            }
            let box = SessionHandle(session: session)
            Self.spawn(name: "manhole-conn") { [self] in
                let connection = ManholeConnection(session: box.session, peer: peer, environment: environment)
                connection.run()
                release()
            }
        }
    }

    private func release() {
        state.withLock { state in
            state.connections -= 1
            state.threads -= 1
        }
    }

    // MARK: helpers

    /// A session's thread: a deep stack for the interpreter's recursion.
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        WorkerThread.start(name: name, stackSize: 16 << 20, body)
    }

    static func localPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return port(of: storage)
    }

    static func peerName(of fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return "?" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let named = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        let address = named == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        return "\(address):\(port(of: storage) ?? 0)"
    }

    private static func port(of storage: sockaddr_storage) -> Int? {
        var copy = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &copy) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &copy) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }
}

/// The listening libssh bind, owned by the accept thread.
private struct BindHandle: @unchecked Sendable {
    let bind: ssh_bind
    let listenFD: Int32
    let wakeFD: Int32
}

/// An accepted libssh session on its way from the accept thread to its connection thread
/// (it belongs to one thread at a time).
private struct SessionHandle: @unchecked Sendable {
    let session: ssh_session
}

/// What every connection thread needs from the server; plain values only (each connection
/// imports its own libssh key objects from `keys`).
struct ConnectionEnvironment: Sendable {
    var user: String
    var keys: [AuthorizedKey]
    var context: ManholeContext
    var logger: Logger
    var loginTimeout: Double
    var idleTimeout: Double
    var isStopping: @Sendable () -> Bool
}
