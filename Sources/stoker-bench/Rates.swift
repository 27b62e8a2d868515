/// What an update phase did: `updates` calls of `pointsPerUpdate` points in `seconds`.
struct UpdateRate: Sendable {
    var updates: Int
    var seconds: Double
    var pointsPerUpdate: Int

    var updatesPerSecond: Double { Double(updates) / seconds }
    var pointsPerSecond: Double { Double(updates * pointsPerUpdate) / seconds }
    var microsecondsPerUpdate: Double { seconds * 1e6 / Double(updates) }
}

/// What a create phase did: `files` files created in `seconds`.
struct CreateRate: Sendable {
    var files: Int
    var seconds: Double

    var perSecond: Double { Double(files) / seconds }
}
