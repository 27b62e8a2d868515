import Foundation
import Glibc
import Synchronization

/// One plaintext connection of the steady load: every interval, one point for each of its
/// names (`PREFIX.kN VALUE TS`, VALUE the round's number from 1, TS on the interval grid),
/// each line sent at its own moment of a schedule spread evenly over the interval (checked
/// every 10 ms). tcp_blast paces only per 256 KiB buffer, which sends points seconds ahead of
/// their time at 100 k series and would blur the delay to disk. A Stoker that cannot keep up
/// holds the connection back, and the schedule's lag shows it.
final class SteadyPlaintextSender: Sendable {
    struct Totals {
        var lines = 0
        /// The largest time by which a line went out after its moment in the schedule.
        var maxLagSeconds = 0.0
        var failure: String?
        var finished = false
    }

    let names: Int
    let rounds: Int
    let interval: Int
    /// Wall time (Unix seconds) of the schedule's first line; its timestamp is `firstTimestamp`.
    let wallStart: Double
    private let totals = Mutex(Totals())
    private let done = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)

    init(port: Int, prefix: String, names: Int, rounds: Int, interval: Int, firstTimestamp: Int, wallStart: Double) throws {
        self.names = names
        self.rounds = rounds
        self.interval = interval
        self.wallStart = wallStart
        let fd = try ReadBenchFiles.connect(port: port)
        let thread = Thread { [self] in
            send(fd: fd, prefix: prefix, firstTimestamp: firstTimestamp)
            close(fd)
            totals.withLock { $0.finished = true }
            done.signal()
        }
        thread.name = "stoker-bench-steady-\(prefix)"
        thread.start()
    }

    var snapshot: Totals { totals.withLock { $0 } }

    /// Ends the schedule early (a failed run).
    func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Waits for the last line and returns the totals.
    func wait() -> Totals {
        done.wait()
        done.signal()
        return totals.withLock { $0 }
    }

    /// The wall time at which line `index` of the whole run (round-major) is due.
    func due(_ index: Int) -> Double {
        wallStart + Double(index) * Double(interval) / Double(names)
    }

    private func send(fd: Int32, prefix: String, firstTimestamp: Int) {
        let nameBytes = (0..<names).map { Array("\(prefix).k\($0) ".utf8) }
        let total = names * rounds
        var next = 0
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        let linesPerSecond = Double(names) / Double(interval)
        while next < total, !stopping.load(ordering: .relaxed) {
            let now = Date().timeIntervalSince1970
            if now < wallStart {
                usleep(UInt32(min(0.01, wallStart - now) * 1e6) + 1)
                continue
            }
            let dueCount = min(total, Int((now - wallStart) * linesPerSecond) + 1)
            if dueCount > next {
                let lag = now - due(next)
                chunk.removeAll(keepingCapacity: true)
                for index in next..<dueCount {
                    let round = index / names
                    chunk += nameBytes[index % names]
                    chunk += String(round + 1).utf8
                    chunk.append(UInt8(ascii: " "))
                    chunk += String(firstTimestamp + round * interval).utf8
                    chunk.append(UInt8(ascii: "\n"))
                }
                do {
                    try ReadBenchFiles.writeAll(fd, chunk)
                } catch {
                    totals.withLock { $0.failure = "\(error)" }
                    return
                }
                totals.withLock {
                    $0.lines = dueCount
                    $0.maxLagSeconds = max($0.maxLagSeconds, lag)
                }
                next = dueCount
            }
            usleep(10_000)
        }
    }
}
