import Glibc
import Foundation
import Synchronization

/// Keeps Graphite plaintext flowing into a child Stoker for the soak: back-to-back tcp_blast
/// runs of about 10 s each (a new connection each), paced to `rate` points/s, every run sending
/// one point per metric per round with timestamps one second apart ending now. The first run
/// creates every file; later runs update them.
final class SoakCarbonDriver: Sendable {
    struct Totals {
        var runs = 0
        var points = 0
        /// Time tcp_blast took to hand its points to the kernel, summed over runs.
        var sendingSeconds = 0.0
        var failure: String?
    }

    let tcpBlast: String
    let port: Int
    let metrics: Int
    let rate: Double
    let prefix: String
    private let deadline: Double
    private let stopping = Atomic<Bool>(false)
    private let totals = Mutex(Totals())
    private let finished = DispatchSemaphore(value: 0)

    /// Starts sending at once; sends until `deadline` (CLOCK_MONOTONIC seconds) or `stop`.
    init(tcpBlast: String, port: Int, metrics: Int, rate: Double, prefix: String, deadline: Double) {
        self.tcpBlast = tcpBlast
        self.port = port
        self.metrics = metrics
        self.rate = rate
        self.prefix = prefix
        self.deadline = deadline
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "stoker-bench-soak-carbon"
        thread.start()
    }

    var snapshot: Totals { totals.withLock { $0 } }

    private func run() {
        while !stopping.load(ordering: .relaxed) {
            let remaining = deadline - MonotonicClock.now()
            guard remaining > 0.5 else { return }
            let rounds = max(1, Int((rate * min(10, remaining) / Double(metrics)).rounded()))
            do {
                let result = try ChildProcess.run(tcpBlast, ["-p", String(port), "-k", String(metrics), "-r", String(rounds), "-s", "1",
                                                             "-R", String(Int(rate)), "-P", prefix, "-q"])
                guard result.status == 0, let fields = ChildProcess.fields(in: result.output, lineWith: "tcp_points"),
                      let points = Int(fields["tcp_points"] ?? ""), let seconds = Double(fields["secs"] ?? "") else {
                    totals.withLock { $0.failure = "tcp_blast exited with \(result.status): \(result.output)" }
                    return
                }
                totals.withLock {
                    $0.runs += 1
                    $0.points += points
                    $0.sendingSeconds += seconds
                }
            } catch {
                totals.withLock { $0.failure = "\(error)" }
                return
            }
        }
    }

    /// Waits for the current run to end (at most one run of ~10 s) and returns the totals.
    func stop() -> Totals {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        return snapshot
    }
}
