import CarbonCache
import CarbonConfig
import Foundation
import FoundationNetworking
import Logging
import ReadCore
import XCTest
@testable import ReadServer

/// The listener over a real loopback socket: routing, the extra routes, the limits that the
/// listener itself enforces (request size, concurrency), keep-alive.
final class APIServerTests: XCTestCase {
    func server(_ configure: (inout APISettings) -> Void = { _ in }, routes: @escaping APIServer.Routes = { _, _ in nil },
                tree: MetricNameTree = MetricNameTree()) -> APIServer {
        var settings = APISettings()
        settings.port = 0
        configure(&settings)
        let store = MetricStore(filePath: { "/nonexistent/" + $0 }, cachedPoints: { _ in [] },
                                newFileLayout: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 10, points: 60)]) })
        return APIServer(settings: settings, api: ReadAPI(tree: tree, store: store, limits: settings.limits),
                         routes: routes, logger: Logger(label: "test"))
    }

    func get(_ port: Int, _ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    func testRoutesFindsAndTheExecutablesOwnPaths() async throws {
        let tree = MetricNameTree()
        tree.insert("a.b", as: .leafInCache)
        let api = server(routes: { path, _ in path == "/health" ? .text(200, "ok") : nil }, tree: tree)
        let port = try await api.start().port!
        let (status, body) = try await get(port, "/metrics/find/?query=a.*&format=completer")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(body, #"{"metrics": [{"path": "a.b", "name": "b", "is_leaf": "1"}]}"#)
        let health = try await get(port, "/health")
        XCTAssertEqual(health.0, 200)
        XCTAssertEqual(health.1, "ok\n")
        let missing = try await get(port, "/elsewhere")
        XCTAssertEqual(missing.0, 404)
        await api.stop()
    }

    func testARequestOverTheSizeLimitIs413() async throws {
        let api = server { $0.limits.maxRequestBytes = 1024 }
        let port = try await api.start().port!
        let (status, body) = try await get(port, "/metrics/find/?query=" + String(repeating: "a", count: 2000))
        XCTAssertEqual(status, 413)
        XCTAssertTrue(body.contains("max_request_bytes"), body)
        await api.stop()
    }

    func testSettingsFromTheApiSection() throws {
        let (settings, warnings) = try APISettings.from(values: ["port": "9090", "interface": "0.0.0.0", "max_request_seconds": "2.5",
                                                                 "nope": "1"], fileName: "stoker.conf")
        XCTAssertEqual(settings.port, 9090)
        XCTAssertEqual(settings.interface, "0.0.0.0")
        XCTAssertEqual(settings.limits.maxRequestSeconds, 2.5)
        XCTAssertEqual(warnings, ["stoker.conf: [api] unknown key NOPE ignored"])
        XCTAssertThrowsError(try APISettings.from(values: ["max_concurrent_requests": "0"], fileName: "stoker.conf")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "max_concurrent_requests")
        }
    }

    func testHealthFollowsThePhases() {
        let state = ServingState()
        XCTAssertEqual(state.response.status, 503)
        state.enter(.serving)
        XCTAssertEqual(state.response.status, 200)
        state.enter(.draining)
        XCTAssertEqual(state.response.text, "draining")
    }
}

final class ShippedConfigTests: XCTestCase {
    /// Every key conf/stoker.conf documents under [api] is read without a warning, with the
    /// documented defaults being the real ones.
    func testShippedConfigDocumentsTheApiSection() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("conf/stoker.conf").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let section = text.components(separatedBy: "\n[api]\n")[1].components(separatedBy: "\n[")[0]
        var keys: [String: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("# ") && line.contains(" = ") {
            let parts = line.dropFirst(2).components(separatedBy: " = ")
            keys[parts[0]] = parts[1]
        }
        XCTAssertEqual(keys.count, 6)
        let (settings, warnings) = try APISettings.from(values: keys, fileName: "conf/stoker.conf")
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(settings, APISettings())
    }
}
