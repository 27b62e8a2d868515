/// The DogStatsD path of the parser (docs/dogstatsd.md): lines statsd would reject that a
/// DogStatsD client means as data. Returns false for a line that is not well-formed DogStatsD
/// either, which statsd's rules then count as a bad line.
extension StatsdPacketParser {
    mutating func parseDogStatsd(_ p: UnsafePointer<UInt8>, _ count: Int, into table: inout AggregationTable) -> Bool {
        if DogStatsdLine.isEvent(p, count) {
            guard let event = DogStatsdLine.event(p, count) else { return false }
            table.addEvent(event)
            return true
        }
        if DogStatsdLine.isServiceCheck(p, count) {
            guard let check = DogStatsdLine.serviceCheck(p, count) else { return false }
            applyServiceCheck(check, p, into: &table)
            return true
        }
        guard let line = DogStatsdLine.metric(p, count) else { return false }
        let type = StatsdPacketParser.segmentType(p, line.type.lowerBound, line.type.upperBound)
        // Every packed value must be valid, or the line is statsd's to judge (a first pass:
        // values are read again as they are applied, which costs less than keeping them).
        let valid = DogStatsdLine.forEachValue(p, line.values) { start, end in
            if case .success = StatsdPacketParser.value(p, start, end, type) { return true }
            return false
        }
        guard valid else { return false }
        let tags = line.tags.map { UnsafeBufferPointer(start: p + $0.lowerBound, count: $0.count) }
        withName(key: UnsafeBufferPointer(start: p, count: line.keyEnd), tags: tags) { name, nameLength, hash in
            // A client timestamp makes a counter or gauge sample a point of its own.
            if let timestamp = line.timestamp, type.kind == .counter || type.kind == .gauge {
                let key = String(decoding: UnsafeRawBufferPointer(start: name, count: nameLength), as: UTF8.self)
                _ = DogStatsdLine.forEachValue(p, line.values) { start, end in
                    guard case let .success(value) = StatsdPacketParser.value(p, start, end, type) else { return false }
                    let sample = DogStatsdExtras.StampedSample(kind: type.kind == .counter ? .counter : .gauge, key: key,
                                                               value: type.kind == .counter ? value * (1 / line.sampleRate) : value,
                                                               timestamp: timestamp)
                    table.addStamped(sample)
                    return true
                }
                return
            }
            _ = DogStatsdLine.forEachValue(p, line.values) { start, end in
                guard case let .success(value) = StatsdPacketParser.value(p, start, end, type) else { return false }
                StatsdPacketParser.apply(type.kind, p, start, end, value: value, rate: line.sampleRate,
                                         name: name, nameLength: nameLength, hash: hash, into: &table)
                return true
            }
        }
        return true
    }

    /// A service check is a gauge `<serviceCheckPrefix>.<name>` holding its status, tagged
    /// with the check's tags and `host` when the client named one.
    private mutating func applyServiceCheck(_ check: DogStatsdLine.ServiceCheck, _ p: UnsafePointer<UInt8>,
                                            into table: inout AggregationTable) {
        table.addInternal(.serviceChecksReceived)
        // Service checks are rare: plain arrays for their key and tags.
        var key: [UInt8] = [], tags: [UInt8] = []
        if !serviceCheckPrefix.isEmpty { key += serviceCheckPrefix + [UInt8(ascii: ".")] }
        key.append(contentsOf: UnsafeBufferPointer(start: p + check.name.lowerBound, count: check.name.count))
        if let range = check.tags { tags.append(contentsOf: UnsafeBufferPointer(start: p + range.lowerBound, count: range.count)) }
        if let host = check.host {
            if !tags.isEmpty { tags.append(UInt8(ascii: ",")) }
            tags += Array("host:".utf8)
            tags.append(contentsOf: UnsafeBufferPointer(start: p + host.lowerBound, count: host.count))
        }
        key.withUnsafeBufferPointer { keyBytes in
            tags.withUnsafeBufferPointer { tagBytes in
                withName(key: keyBytes, tags: tagBytes) { name, nameLength, hash in
                    let status = Double(check.status)
                    if let timestamp = check.timestamp {
                        let key = String(decoding: UnsafeRawBufferPointer(start: name, count: nameLength), as: UTF8.self)
                        table.addStamped(.init(kind: .gauge, key: key, value: status, timestamp: timestamp))
                    } else {
                        table.applyGauge(name, nameLength, hash: hash, status, signed: false)
                    }
                }
            }
        }
    }
}
