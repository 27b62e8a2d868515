// swift-tools-version: 6.0
import PackageDescription

// libFuzzer targets for every Stoker parser. A package of its own so that the main package's
// `swift build` and `swift test` never see fuzzer flags; `Fuzz/run build` builds it with
// `-sanitize=fuzzer,address` into `.build-fuzz`. Each target drives the code the server runs
// on that input (the NIO handlers through EmbeddedChannel, `@testable` for internal ones).
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-statsd", [.product(name: "StatsdCore", package: "Stoker"), .product(name: "StatsdNetwork", package: "Stoker")]),
    ("fuzz-plaintext", [.product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker")]),
    ("fuzz-pickle", [.product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker"), .product(name: "Pickle", package: "Stoker")]),
    ("fuzz-pickle-frame", [.product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker"), .product(name: "Pickle", package: "Stoker")]),
    ("fuzz-carbonlink", [
        .product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker"), .product(name: "Pickle", package: "Stoker"),
        .product(name: "Whisper", package: "Stoker"),
    ]),
    ("fuzz-config", [
        .product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker"), .product(name: "StatsdCore", package: "Stoker"),
        .product(name: "StatsdNetwork", package: "Stoker"), .product(name: "Manhole", package: "Stoker"),
    ]),
    ("fuzz-storage-rules", [.product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker")]),
    ("fuzz-read-queries", [.product(name: "ReadCore", package: "Stoker"), .product(name: "CarbonConfig", package: "Stoker"),
        .product(name: "CarbonCache", package: "Stoker"), .product(name: "Whisper", package: "Stoker")]),
    ("fuzz-manhole", [
        .product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker"), .product(name: "Manhole", package: "Stoker"),
        .product(name: "ManholeLanguage", package: "Stoker"),
    ]),
]

let package = Package(
    name: "StokerFuzz",

    dependencies: [
        .package(name: "Stoker", path: ".."),
        // 1.16.2 for LogEvent (FuzzHarness's log handler); the main package resolves it too.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // The declaration of libFuzzer's LLVMFuzzerRunDriver.
        .target(name: "CLibFuzzer"),
        // What every target shares: the driver, input chunking, a logger that formats
        // everything, reads through an EmbeddedChannel, cache snapshots.
        .target(
            name: "FuzzHarness",
            dependencies: [
                "CLibFuzzer",
                .product(name: "CarbonConfig", package: "Stoker"), .product(name: "CarbonCache", package: "Stoker"),
        .product(name: "CarbonWriter", package: "Stoker"), .product(name: "CarbonNetwork", package: "Stoker"),
                .product(name: "ServerRuntime", package: "Stoker"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: target.dependencies + [
                "FuzzHarness",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        )
    },
    swiftLanguageModes: [.v6]
)
