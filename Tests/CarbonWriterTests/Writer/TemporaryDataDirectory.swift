import Foundation
import XCTest
@testable import CarbonConfig
@testable import CarbonWriter

extension XCTestCase {
    /// A data directory of the test's own (removed after it), the layout of sparse files of 60
    /// one-second slots in it, and writer settings for it.
    func temporaryDataDirectory(_ label: String) throws -> (root: String, layout: StorageLayout, settings: WriterSettings) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                                   newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 1, points: 60)]) })
        var settings = WriterSettings(dataDirectory: root)
        settings.allocation = .sparse
        return (root, layout, settings)
    }
}
