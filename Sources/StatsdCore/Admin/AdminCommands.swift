/// statsd's admin (management) interface as pure functions (docs/statsd.md §4): a command line and the
/// state in, the answer's exact text out. Stoker additions: `sets` and `delsets`, and several
/// newline-separated commands in one chunk are answered one by one (the reference answers
/// `ERROR`).
public enum AdminCommands {
    public static let helpText =
        "Commands: stats, counters, timers, gauges, sets, delcounters, deltimers, delgauges, delsets, health, config, quit\n\n"

    /// Answers every line of a received chunk in turn; stops at `quit`. A chunk of white space
    /// only is one empty command (`ERROR`), as in the reference.
    public static func respond(toChunk chunk: String, state: inout StatsdState, now: Int) -> AdminResponse {
        var text = ""
        for line in commands(inChunk: chunk) {
            let response = respond(toLine: line, state: &state, now: now)
            text += response.text
            if response.closeConnection { return AdminResponse(text: text, closeConnection: true) }
        }
        return AdminResponse(text: text)
    }

    /// The commands of a received chunk, in order: its non-blank lines, trimmed, or the chunk
    /// itself when it is all white space (one empty command). Answering them one by one, each
    /// as a chunk of its own, answers the chunk.
    public static func commands(inChunk chunk: String) -> [String] {
        let lines = chunk.split(separator: "\n", omittingEmptySubsequences: false)
            .map { trimmed(String($0)) }.filter { !$0.isEmpty }
        return lines.isEmpty ? [chunk] : lines
    }

    /// Answers one command: trimmed, split on single spaces, the first word case-sensitive.
    public static func respond(toLine line: String, state: inout StatsdState, now: Int) -> AdminResponse {
        let words = trimmed(line).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let command = words.first ?? ""
        let parameters = Array(words.dropFirst())
        switch command {
        case "help":
            return AdminResponse(text: helpText)
        case "config":
            return AdminResponse(text: configText(state))
        case "health":
            if let action = parameters.first?.lowercased(), action == "up" || action == "down" {
                state.health = action
            }
            return AdminResponse(text: "health: " + state.health + "\n")
        case "stats":
            return AdminResponse(text: statsText(state, now: now))
        case "counters":
            let entries = state.table.counters.map { (key: $0.name, value: NodeInspect.number($0.value)) }
            return AdminResponse(text: NodeInspect.object(ordered(entries)) + "\nEND\n\n")
        case "timers":
            let entries = state.table.timers.map { timer in
                (key: timer.name, value: NodeInspect.array(timer.values.map(NodeInspect.number), indentation: 2, numeric: true))
            }
            return AdminResponse(text: NodeInspect.object(ordered(entries)) + "\nEND\n\n")
        case "gauges":
            let entries = state.table.gauges.map { (key: $0.name, value: NodeInspect.number($0.value)) }
            return AdminResponse(text: NodeInspect.object(ordered(entries)) + "\nEND\n\n")
        case "sets":
            let entries = state.table.sets.map { set in
                (key: set.name, value: NodeInspect.array(set.members.sorted().map(NodeInspect.quoted), indentation: 2, numeric: false))
            }
            return AdminResponse(text: NodeInspect.object(ordered(entries)) + "\nEND\n\n")
        case "delcounters":
            return AdminResponse(text: delete(parameters, names: state.table.counters.map(\.name)) { name in
                state.table.removeCounters { $0 == name }
            })
        case "deltimers":
            return AdminResponse(text: delete(parameters, names: state.table.timers.map(\.name)) { name in
                state.table.removeTimers { $0 == name }
            })
        case "delgauges":
            return AdminResponse(text: delete(parameters, names: state.table.gauges.map(\.name)) { name in
                state.table.removeGauges { $0 == name }
            })
        case "delsets":
            return AdminResponse(text: delete(parameters, names: state.table.sets.map(\.name)) { name in
                state.table.removeSets { $0 == name }
            })
        case "quit":
            return AdminResponse(text: "", closeConnection: true)
        default:
            return AdminResponse(text: "ERROR\n")
        }
    }

    /// JavaScript's `trim()`.
    static func trimmed(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { buffer -> String in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return "" }
            let (s, e) = JavaScriptWhitespace.trim(base, 0, buffer.count)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[s..<e]), as: UTF8.self)
        }
    }

    private static func ordered(_ entries: [(key: String, value: String)]) -> [(key: String, value: String)] {
        JavaScriptPropertyOrder.order(entries.map(\.key)).map { entries[$0] }
    }

    /// statsd's delete_stats: per argument, the exact key and (for `prefix.*`) every key starting
    /// with `prefix.`; `deleted: <key>` per key or `metric <arg> not found`; then `END`.
    private static func delete(_ arguments: [String], names: [String], remove: (String) -> Void) -> String {
        var text = ""
        var current = names
        for argument in arguments {
            var matches: [String] = []
            if current.contains(argument) { matches.append(argument) }
            if argument.hasSuffix(".*") {
                let folder = Array(argument.utf8.dropLast())
                for index in JavaScriptPropertyOrder.order(current) where Array(current[index].utf8).starts(with: folder) {
                    matches.append(current[index])
                }
            }
            if matches.isEmpty { text += "metric \(argument) not found\n" }
            for match in matches {
                remove(match)
                text += "deleted: \(match)\n"
            }
            current.removeAll { matches.contains($0) }
        }
        return text + "END\n\n"
    }

    /// `uptime`, `messages.*`, the graphite backend's status (`last_*` as seconds since), `END`.
    static func statsText(_ state: StatsdState, now: Int) -> String {
        let js = JavaScriptNumberFormatter.string
        let nowValue = Double(now)
        var text = "uptime: \(now - state.startupTime)\n"
        text += "messages.last_msg_seen: \(now - state.lastMessageSeen)\n"
        text += "messages.bad_lines_seen: \(state.badLinesSeenTotal)\n"
        let status = state.graphiteStatus
        text += "graphite.last_flush: " + js(nowValue - status.lastFlush) + "\n"
        text += "graphite.last_exception: " + js(nowValue - status.lastException) + "\n"
        text += "graphite.flush_time: " + js(status.flushTime) + "\n"
        text += "graphite.flush_length: " + js(status.flushLength) + "\n"
        return text + "END\n\n"
    }

    /// statsd's writeConfig: a blank line, then `name: value` per option and
    /// `name > index: value` per list element (objects print as `[object Object]`).
    static func configText(_ state: StatsdState) -> String {
        let s = state.settings
        let js = JavaScriptNumberFormatter.string
        var text = "\n"
        func line(_ name: String, _ value: String) { text += name + ": " + value + "\n" }
        line("flushInterval", js(Double(s.flushInterval)))
        for (i, pct) in s.percentThreshold.enumerated() { line("percentThreshold > \(i)", js(pct)) }
        for i in s.histogram.indices { line("histogram > \(i)", "[object Object]") }
        for (i, name) in s.calculatedTimerMetrics.enumerated() { line("calculatedTimerMetrics > \(i)", name) }
        line("deleteIdleStats", String(s.deleteIdleStats))
        line("deleteCounters", String(s.effectiveDeleteCounters))
        line("deleteTimers", String(s.effectiveDeleteTimers))
        line("deleteGauges", String(s.effectiveDeleteGauges))
        line("deleteSets", String(s.effectiveDeleteSets))
        line("gaugesMaxTTL", String(s.effectiveGaugesMaxTTL))
        line("flush_counts", String(s.flushCounts))
        line("prefixStats", s.prefixStats)
        line("keyNameSanitize", String(s.keyNameSanitize))
        line("healthStatus", state.health)
        line("maxLineLength", String(s.maxLineLength))
        line("maxKeysPerInterval", String(s.maxKeysPerInterval))
        for (name, value) in state.extraConfig { line(name, value) }
        line("graphite > legacyNamespace", String(s.legacyNamespace))
        line("graphite > globalPrefix", s.globalPrefix)
        line("graphite > prefixCounter", s.prefixCounter)
        line("graphite > prefixTimer", s.prefixTimer)
        line("graphite > prefixGauge", s.prefixGauge)
        line("graphite > prefixSet", s.prefixSet)
        if let suffix = s.globalSuffix { line("graphite > globalSuffix", suffix) }
        return text
    }
}
