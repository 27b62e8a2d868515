import ManholeLanguage
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import ServerRuntime
import Whisper

/// The names a manhole session starts with: Python built-ins, carbon's modules (`carbon`,
/// `carbon.cache`, `carbon.writer`, `carbon.conf`) and Stoker's own commands, all reading
/// the live process through a ManholeContext.
struct StandardLibrary {
    let context: ManholeContext
    private(set) var builtins: [String: PythonValue] = [:]
    private(set) var modules: [String: ModuleObject] = [:]

    static let helpText = """
        Stoker manhole: a Python-flavoured view of the live process (expressions only).
          carbon's spellings:
            from carbon.cache import MetricCache
            print MetricCache['a.b.c']          cached (timestamp, value) points, in time order
            MetricCache.counts()                (metric, cached points) for every metric
            MetricCache.size, len(MetricCache)  points cached, metrics cached
            from carbon.writer import writeCachedDataPoints
            writeCachedDataPoints()             write every cached point to disk now
            carbon.cache.MetricCache()['a.b.c'], carbon.cache.MetricCache().counts,
            carbon.writer.writeCachedDataPoints(), carbon.conf.settings.MAX_CACHE_SIZE
          Stoker's own:
            cache.size, cache.largest(10), cache.names('a.*.c')   the cache and its longest queues
            watch('a.*.c', seconds=None)        stream points entering the cache (Ctrl-C stops)
            writer.stats, writer.rates(seconds=1)  writer counters; rates measured now
            config, config['MAX_CACHE_SIZE']    effective configuration (secrets hidden)
            whisper.info('a.b.c'), whisper.fetch('a.b.c', -3600, until=None)
                                                a metric's file (negative times: seconds before now)
            statsd.counters('glob'), statsd.timers('glob'), statsd.gauges('glob'), statsd.sets('glob')
                                                statsd's pending values of the current interval
            flush(), statsd.flush()             flush statsd now
            quotas()                            quotas.conf's rules: refusals, series counted, largest namespaces
            time.time(), len, sorted, sum, min, max, dir(), help(x), exit()
        """

    init(context: ManholeContext) {
        self.context = context
        buildCarbon()
        buildStoker()
        buildBuiltins()
    }

    private func function(_ name: String, _ doc: String, _ body: @escaping FunctionObject.Body) -> PythonValue {
        .object(FunctionObject(name, doc: doc, body))
    }

    private func property(_ name: String, _ doc: String, _ getter: @escaping (Invocation) throws -> PythonValue) -> PythonValue {
        .object(PropertyObject(name, doc: doc, getter))
    }

    // MARK: carbon

    private mutating func buildCarbon() {
        let context = self.context
        let cacheObject = PythonValue.object(MetricCacheObject(context.cache))
        let cacheModule = ModuleObject("carbon.cache", members: [("MetricCache", cacheObject)])
        let write = function("writeCachedDataPoints", "writeCachedDataPoints(): write every cached point to disk now") { arguments, run in
            try arguments.check("writeCachedDataPoints", [])
            let metrics = context.cache.queues
            let written = try context.writeCachedDataPoints()
            run.write("wrote \(written) datapoints (\(metrics) metrics were cached)\n")
            return .none
        }
        let writerModule = ModuleObject("carbon.writer", members: [("writeCachedDataPoints", write)])
        let confModule = ModuleObject("carbon.conf", members: [("settings", .object(ConfigObject(context)))])
        let carbon = ModuleObject("carbon", doc: "carbon: cache, writer, conf", members: [
            ("cache", .object(cacheModule)), ("writer", .object(writerModule)), ("conf", .object(confModule)),
        ])
        modules["carbon"] = carbon
        // One-liners copied from old posts assume the imports (`ssh host 'MetricCache.counts()'`).
        builtins["MetricCache"] = cacheObject
        builtins["writeCachedDataPoints"] = write
        modules["carbon.cache"] = cacheModule
        modules["carbon.writer"] = writerModule
        modules["carbon.conf"] = confModule
    }

    // MARK: Stoker

    private mutating func buildStoker() {
        let context = self.context
        builtins["cache"] = .object(MetricCacheObject(context.cache))
        builtins["config"] = .object(ConfigObject(context))
        builtins["watch"] = function("watch", "watch(pattern, seconds=None): print points as they enter the cache until Ctrl-C") { arguments, run in
            try arguments.check("watch", ["pattern", "seconds"])
            let pattern = try arguments.string("watch", 0, "pattern")
            let seconds = try arguments.number("watch", 1, "seconds")
            CacheWatch(cache: context.cache, glob: MetricGlob(pattern)).run(seconds: seconds, run)
            return .none
        }

        let writer = ModuleObject("writer", doc: "writer.stats: counters since start; writer.rates(seconds=1): per-second rates measured now")
        writer.add("stats", property("stats", "writer counters since start") { _ in
            guard let statistics = context.writerStatistics else { throw PythonError("RuntimeError", "no writer statistics in this process") }
            return Self.writerCounters(statistics.snapshot)
        })
        writer.add("rates", function("rates", "rates(seconds=1): writer rates per second, measured over the next seconds") { arguments, run in
            try arguments.check("rates", ["seconds"])
            guard let statistics = context.writerStatistics else { throw PythonError("RuntimeError", "no writer statistics in this process") }
            let seconds = min(max(try arguments.number("rates", 0, "seconds") ?? 1, 0.1), 60)
            let before = statistics.snapshot
            let began = monotonicSeconds()
            _ = run.waitForInterrupt(seconds)
            let elapsed = max(monotonicSeconds() - began, 0.001)
            let after = statistics.snapshot
            func rate(_ a: Int, _ b: Int) -> PythonValue { .float(((Double(b - a) / elapsed) * 10).rounded() / 10) }
            return .dict([
                (.string("pointsPerSecond"), rate(before.committedPoints, after.committedPoints)),
                (.string("updatesPerSecond"), rate(before.updateOperations, after.updateOperations)),
                (.string("createsPerSecond"), rate(before.creates, after.creates)),
                (.string("deferredCreatesPerSecond"), rate(before.deferredCreates, after.deferredCreates)),
                (.string("errorsPerSecond"), rate(before.errors, after.errors)),
                (.string("cacheSize"), .int(context.cache.size)),
            ])
        })
        writer.add("flush", modules["carbon.writer"]!.member("writeCachedDataPoints")!)
        builtins["writer"] = .object(writer)
        modules["writer"] = writer

        let whisper = ModuleObject("whisper", doc: "whisper.info('name'), whisper.fetch('name', from, until=None), whisper.path('name')")
        whisper.add("path", function("path", "path(metric): the metric's whisper file") { arguments, _ in
            try arguments.check("path", ["metric"])
            return .string(try Self.whisperPath(context, try arguments.string("path", 0, "metric")))
        })
        whisper.add("info", function("info", "info(metric): the header of the metric's whisper file") { arguments, _ in
            try arguments.check("info", ["metric"])
            let path = try Self.whisperPath(context, try arguments.string("info", 0, "metric"))
            let info = try Self.whisperCall { try WhisperFile.open(path: path, writable: false).info }
            return .dict([
                (.string("aggregationMethod"), .string(info.aggregationMethod.name)),
                (.string("maxRetention"), .int(info.maxRetention)),
                (.string("xFilesFactor"), .float(info.xFilesFactor)),
                (.string("archives"), .list(info.archives.map { archive in
                    .dict([
                        (.string("offset"), .int(archive.offset)), (.string("secondsPerPoint"), .int(archive.secondsPerPoint)),
                        (.string("points"), .int(archive.points)), (.string("retention"), .int(archive.retention)),
                        (.string("size"), .int(archive.size)),
                    ])
                })),
            ])
        })
        whisper.add("fetch", function("fetch", "fetch(metric, from, until=None): ((from, until, step), values); negative times count back from now") { arguments, _ in
            try arguments.check("fetch", ["metric", "fromTime", "untilTime"])
            let path = try Self.whisperPath(context, try arguments.string("fetch", 0, "metric"))
            let now = Int(context.clock())
            guard let from = try arguments.number("fetch", 1, "fromTime") else {
                throw PythonError.type("fetch() missing required argument: 'fromTime'")
            }
            let until = try arguments.number("fetch", 2, "untilTime")
            func absolute(_ t: Double) throws -> Int {
                let clamped = try PythonValue.integer(truncating: min(max(t, -1e12), 1e12))
                return clamped <= 0 ? now + clamped : clamped
            }
            let fromTime = try absolute(from)
            let untilTime = try until.map(absolute)
            let series = try Self.whisperCall {
                try WhisperFile.open(path: path, writable: false).fetch(from: fromTime, until: untilTime, now: now)
            }
            guard let series else { return .none }
            return .tuple([
                .tuple([.int(series.fromInterval), .int(series.untilInterval), .int(series.step)]),
                .list(series.values.map { $0.map(PythonValue.float) ?? .none }),
            ])
        })
        builtins["whisper"] = .object(whisper)
        modules["whisper"] = whisper

        let statsd = ModuleObject("statsd", doc: "statsd.counters/timers/gauges/sets('glob'): pending values; statsd.flush()")
        func inspection() throws -> any StatsdInspection {
            guard let statsd = context.statsd else { throw PythonError("RuntimeError", "statsd is not running in this process") }
            return statsd
        }
        func pattern(_ name: String, _ arguments: Arguments) throws -> MetricGlob {
            try arguments.check(name, ["pattern"])
            return MetricGlob(try arguments.string(name, 0, "pattern", default: "*"))
        }
        statsd.add("counters", function("counters", "counters(pattern='*'): pending counter sums") { arguments, _ in
            let glob = try pattern("counters", arguments)
            return .dict(try inspection().pendingCounters(matching: glob).sorted { $0.name < $1.name }.map { (.string($0.name), .float($0.value)) })
        })
        statsd.add("timers", function("timers", "timers(pattern='*'): pending timer samples") { arguments, _ in
            let glob = try pattern("timers", arguments)
            return .dict(try inspection().pendingTimers(matching: glob).sorted { $0.name < $1.name }
                .map { (.string($0.name), .list($0.values.map(PythonValue.float))) })
        })
        statsd.add("gauges", function("gauges", "gauges(pattern='*'): current gauge values") { arguments, _ in
            let glob = try pattern("gauges", arguments)
            return .dict(try inspection().pendingGauges(matching: glob).sorted { $0.name < $1.name }.map { (.string($0.name), .float($0.value)) })
        })
        statsd.add("sets", function("sets", "sets(pattern='*'): pending set members") { arguments, _ in
            let glob = try pattern("sets", arguments)
            return .dict(try inspection().pendingSets(matching: glob).sorted { $0.name < $1.name }
                .map { (.string($0.name), .list($0.members.sorted().map(PythonValue.string))) })
        })
        let flush = function("flush", "flush(): flush statsd now") { arguments, run in
            try arguments.check("flush", [])
            let summary = try inspection().flush()
            run.write(summary.hasSuffix("\n") ? summary : summary + "\n")
            return .none
        }
        statsd.add("flush", flush)
        builtins["statsd"] = .object(statsd)
        builtins["flush"] = flush
        modules["statsd"] = statsd

        builtins["quotas"] = function("quotas", "quotas(): per quotas.conf rule, its limits, refusals and the namespaces with the most series") { arguments, _ in
            try arguments.check("quotas", [])
            guard let quotas = context.quotas else { throw PythonError("RuntimeError", "no quotas in this process") }
            return .list(quotas.report().map(Self.quotaReport))
        }

        let time = ModuleObject("time", members: [
            ("time", function("time", "time(): seconds since the epoch") { arguments, _ in
                try arguments.check("time", [])
                return .float(context.clock())
            }),
        ])
        modules["time"] = time
        builtins["time"] = .object(time)
    }

    static func quotaReport(_ r: QuotaLedger.RuleReport) -> PythonValue {
        func limit(_ value: Int?) -> PythonValue { value.map(PythonValue.int) ?? .none }
        return .dict([
            (.string("rule"), .string(r.rule.section)),
            (.string("metrics"), limit(r.rule.metrics)), (.string("throughput"), limit(r.rule.throughputPerMinute)),
            (.string("newSeriesPerMinute"), limit(r.rule.newSeriesPerMinute)),
            (.string("droppingPolicy"), .string(r.rule.droppingPolicy.rawValue)),
            (.string("refusedPoints"), .int(r.refusedPoints)), (.string("refusedCreates"), .int(r.refusedCreates)),
            (.string("series"), .int(r.series)), (.string("namespaces"), .int(r.namespaces)),
            (.string("largest"), .list(r.largest.map { .tuple([.string($0.namespace), .int($0.series)]) })),
        ])
    }

    static func writerCounters(_ s: WriterStatistics.Snapshot) -> PythonValue {
        .dict([
            (.string("committedPoints"), .int(s.committedPoints)), (.string("updateOperations"), .int(s.updateOperations)),
            (.string("updateSeconds"), .float((s.updateSeconds * 1000).rounded() / 1000)), (.string("creates"), .int(s.creates)),
            (.string("deferredCreates"), .int(s.deferredCreates)), (.string("errors"), .int(s.errors)),
            (.string("droppedPoints"), .int(s.droppedPoints)), (.string("quarantinedMetrics"), .int(s.quarantinedMetrics)),
        ])
    }

    static func whisperPath(_ context: ManholeContext, _ metric: String) throws -> String {
        do {
            return try context.whisperPath(metric)
        } catch {
            throw PythonError("ValueError", "\(error)")
        }
    }

    /// Runs a whisper call, turning its errors into Python's (FileNotFoundError, ...).
    static func whisperCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as WhisperError {
            if case let .io(path, _, code) = error, code == ENOENT {
                throw PythonError("FileNotFoundError", "[Errno 2] No such file or directory: \(PythonValue.repr(path))")
            }
            if case .corrupt = error { throw PythonError("CorruptWhisperFile", error.description) }
            throw PythonError("OSError", error.description)
        }
    }

    // MARK: built-ins

    private mutating func buildBuiltins() {
        builtins["help"] = function("help", "help(x): what x is") { arguments, run in
            try arguments.check("help", ["object"])
            if let value = arguments.value(0, "object") {
                if case let .object(object) = value {
                    run.write(object.doc + "\n")
                } else {
                    run.write("\(value.typeName): \(value.repr)\n")
                }
            } else {
                run.write(Self.helpText + "\n")
            }
            return .none
        }
        builtins["len"] = function("len", "len(x)") { arguments, _ in
            try arguments.check("len", ["obj"])
            return .int(try Interpreter.length(try arguments.required("len", 0, "obj")))
        }
        builtins["print"] = function("print", "print(*values)") { arguments, run in
            var separator = " "
            if let sep = arguments.keywords.last(where: { $0.name == "sep" })?.value, case let .string(text) = sep { separator = text }
            var end = "\n"
            if let value = arguments.keywords.last(where: { $0.name == "end" })?.value, case let .string(text) = value { end = text }
            run.write(arguments.positional.map(\.str).joined(separator: separator) + end)
            return .none
        }
        builtins["repr"] = function("repr", "repr(x)") { arguments, _ in
            try arguments.check("repr", ["obj"])
            return .string(try arguments.required("repr", 0, "obj").repr)
        }
        builtins["str"] = function("str", "str(x)") { arguments, _ in
            try arguments.check("str", ["object"])
            return .string(arguments.value(0, "object")?.str ?? "")
        }
        builtins["int"] = function("int", "int(x)") { arguments, _ in
            try arguments.check("int", ["x"])
            let value = arguments.value(0, "x") ?? .int(0)
            if case let .string(text) = value, let n = Int(text.trimmingCharacters(in: .whitespaces)) { return .int(n) }
            guard let number = value.numeric, number.isFinite else {
                throw PythonError("ValueError", "invalid literal for int(): \(value.repr)")
            }
            return .int(try PythonValue.integer(truncating: number))
        }
        builtins["float"] = function("float", "float(x)") { arguments, _ in
            try arguments.check("float", ["x"])
            let value = arguments.value(0, "x") ?? .float(0)
            if case let .string(text) = value, let x = Double(text.trimmingCharacters(in: .whitespaces)) { return .float(x) }
            guard let number = value.numeric else { throw PythonError("ValueError", "could not convert to float: \(value.repr)") }
            return .float(number)
        }
        builtins["list"] = function("list", "list(x)") { arguments, _ in
            try arguments.check("list", ["iterable"])
            return .list(try Self.items(arguments.value(0, "iterable") ?? .list([])))
        }
        builtins["sorted"] = function("sorted", "sorted(x, reverse=False)") { arguments, _ in
            try arguments.check("sorted", ["iterable", "reverse"])
            var items = try Self.items(try arguments.required("sorted", 0, "iterable"))
            var failure: (any Error)?
            items.sort { a, b in
                do { return try Interpreter.binary("<", a, b).isTruthy } catch { failure = error; return false }
            }
            if let failure { throw failure }
            if arguments.value(1, "reverse")?.isTruthy == true { items.reverse() }
            return .list(items)
        }
        builtins["sum"] = function("sum", "sum(x)") { arguments, _ in
            try arguments.check("sum", ["iterable", "start"])
            var total = arguments.value(1, "start") ?? .int(0)
            for item in try Self.items(try arguments.required("sum", 0, "iterable")) { total = try Interpreter.binary("+", total, item) }
            return total
        }
        for (name, op) in [("min", "<"), ("max", ">")] {
            builtins[name] = function(name, "\(name)(x)") { arguments, _ in
                let items = arguments.positional.count == 1 ? try Self.items(arguments.positional[0]) : arguments.positional
                guard var best = items.first else { throw PythonError("ValueError", "\(name)() arg is an empty sequence") }
                for item in items.dropFirst() where try Interpreter.binary(op, item, best).isTruthy { best = item }
                return best
            }
        }
        builtins["abs"] = function("abs", "abs(x)") { arguments, _ in
            switch try arguments.required("abs", 0, "x") {
            case let .int(n):
                guard n != .min else { throw PythonError("OverflowError", "abs() result too large") }
                return .int(abs(n))
            case let .float(x): return .float(abs(x))
            case let other: throw PythonError.type("bad operand type for abs(): \(PythonValue.repr(other.typeName))")
            }
        }
        builtins["round"] = function("round", "round(x, ndigits=None)") { arguments, _ in
            guard let x = try arguments.number("round", 0, "number") else { throw PythonError.type("round() missing required argument: 'number'") }
            guard let digits = try arguments.number("round", 1, "ndigits") else { return .int(try PythonValue.integer(truncating: x.rounded(.toNearestOrEven))) }
            let scale = pow(10, digits)
            return .float((x * scale).rounded(.toNearestOrEven) / scale)
        }
        builtins["type"] = function("type", "type(x)") { arguments, _ in
            .string("<class \(PythonValue.repr(try arguments.required("type", 0, "object").typeName))>")
        }
        builtins["exit"] = .object(ExitObject())
        builtins["quit"] = builtins["exit"]
        // dir() needs the session's own names: the interpreter answers it (see DirObject).
        builtins["dir"] = .object(DirObject())
    }

    static func items(_ value: PythonValue) throws -> [PythonValue] {
        switch value {
        case let .list(items), let .tuple(items): return items
        case let .string(text): return text.map { .string(String($0)) }
        case let .dict(pairs): return pairs.map(\.key)
        case let .object(object as CallableValue): return try items(object.value)
        default: throw PythonError.type("\(PythonValue.repr(value.typeName)) object is not iterable")
        }
    }
}
