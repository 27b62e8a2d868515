// swift-tools-version: 6.0
import PackageDescription

/// carbon-cache's stages, in the order data flows through them.
let carbon: [Target.Dependency] = ["CarbonConfig", "CarbonCache", "CarbonWriter", "CarbonNetwork", "ServerRuntime"]

let package = Package(
    name: "Stoker",

    products: [
        .executable(name: "stoker", targets: ["stoker"]),
        .executable(name: "stoker-bench", targets: ["stoker-bench"]),
        .library(name: "Whisper", targets: ["Whisper"]),
        .library(name: "CarbonConfig", targets: ["CarbonConfig"]),
        .library(name: "CarbonCache", targets: ["CarbonCache"]),
        .library(name: "CarbonWriter", targets: ["CarbonWriter"]),
        .library(name: "CarbonNetwork", targets: ["CarbonNetwork"]),
        // For Fuzz/Package.swift, which builds the fuzz targets against these modules.
        .library(name: "Pickle", targets: ["Pickle"]),
        .library(name: "StatsdCore", targets: ["StatsdCore"]),
        .library(name: "StatsdNetwork", targets: ["StatsdNetwork"]),
        .library(name: "Manhole", targets: ["Manhole"]),
        .library(name: "ManholeLanguage", targets: ["ManholeLanguage"]),
        .library(name: "ReadCore", targets: ["ReadCore"]),
        .library(name: "ServerRuntime", targets: ["ServerRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // The whisper file format alone: no sockets, no threads.
        .target(name: "Whisper"),
        // Linux socket calls Glibc's Swift module lacks (recvmmsg, SO_RXQ_OVFL).
        .target(name: "CNetwork"),
        // Blocking TCP and HTTP for the helper threads that talk to other servers (statsd's
        // upstream copy, graphite-web's events and tags APIs).
        .target(name: "Delivery"),
        // The runtime layer: named worker threads joined from threads or async code, the
        // clocks, sleeps and injectable pacing that timing logic runs on, retry back-off.
        .target(name: "ServerRuntime"),
        // Hashing and comparing metric names as bytes: statsd's and the cache's name tables.
        .target(name: "NameBytes"),
        // Etsy statsd's semantics and DogStatsD's datagram: byte parser, aggregation tables,
        // flush maths, admin commands, settings and state. No sockets, no threads.
        .target(name: "StatsdCore", dependencies: ["NameBytes"]),
        // statsd on the network: UDP readers, the Unix socket, TCP lines, the admin port, the
        // flush thread, the upstream copy and graphite-web's events.
        .target(
            name: "StatsdNetwork",
            dependencies: [
                "StatsdCore", "CNetwork", "Delivery", "ServerRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Python's pickle format, data opcodes only: carbon's pickle receiver and carbonlink.
        .target(name: "Pickle"),
        // carbon's configuration: carbon.conf's keys, storage-schemas.conf and
        // storage-aggregation.conf, white/blacklists, metric names and their file paths, the
        // writer's settings, rate-limited logging. No sockets, no threads.
        .target(
            name: "CarbonConfig",
            dependencies: [
                "Whisper", "Pickle", "ServerRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The cache: points received and not yet written, sharded, stored by name bytes.
        .target(name: "CarbonCache", dependencies: ["CarbonConfig", "NameBytes"]),
        // The writer threads that move points from the cache into whisper files, and the
        // write-ahead log that covers the points still in the cache.
        .target(
            name: "CarbonWriter",
            dependencies: ["CarbonConfig", "CarbonCache", "Whisper", "NameBytes", "ServerRuntime", .product(name: "Logging", package: "swift-log")]
        ),
        // carbon on the network: plaintext and pickle receivers, the common receive path,
        // carbonlink, self-instrumentation, and CarbonService that assembles the stages.
        .target(
            name: "CarbonNetwork",
            dependencies: [
                "CarbonConfig", "CarbonCache", "CarbonWriter", "Whisper", "Pickle", "NameBytes", "Delivery", "ServerRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Graphite's read API as pure logic: the name tree, path globs, find and render answers
        // from the files and the cache, their encodings. No sockets, no threads of its own.
        .target(name: "ReadCore", dependencies: ["CarbonConfig", "CarbonCache", "Whisper", "Pickle"]),
        // The [api] HTTP listener (NIOHTTP1) in front of ReadCore: health, metrics, status page.
        .target(
            name: "ReadServer",
            dependencies: [
                "ReadCore", "CarbonConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Debian's libssh (pkg-config libssh), for the manhole's SSH server.
        .systemLibrary(name: "CLibSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        // The manhole: SSH into the live process and a small inspection language.
        // The manhole's small Python-like language: tokenizer, parser, interpreter, values,
        // the line editor. Pure: what it can reach is what the host hands its interpreter.
        .target(name: "ManholeLanguage"),
        .target(name: "Manhole", dependencies: ["CLibSSH", "ManholeLanguage", "CarbonConfig", "CarbonCache", "CarbonWriter", "CarbonNetwork", "StatsdCore", "StatsdNetwork", "ServerRuntime"]),
        .executableTarget(
            name: "stoker",
            dependencies: [
                "Whisper", "Pickle", "CarbonConfig", "CarbonCache", "CarbonWriter", "CarbonNetwork", "StatsdCore", "StatsdNetwork",
                "Manhole", "ReadCore", "ReadServer", "ServerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "stoker-bench",
            dependencies: [
                "Whisper", "CarbonConfig", "CarbonCache", "CarbonWriter", "CarbonNetwork", "StatsdCore", "StatsdNetwork",
                "ServerRuntime", "Delivery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "WhisperTests", dependencies: ["Whisper"]),
        .testTarget(name: "NameBytesTests", dependencies: ["NameBytes"]),
        .testTarget(name: "ServerRuntimeTests", dependencies: ["ServerRuntime"]),
        .testTarget(name: "PickleTests", dependencies: ["Pickle"]),
        .testTarget(name: "StatsdCoreTests", dependencies: ["StatsdCore"]),
        .testTarget(name: "StatsdNetworkTests", dependencies: ["StatsdCore", "StatsdNetwork", "ServerRuntime", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(
            name: "ManholeTests",
            dependencies: ["Manhole", "ManholeLanguage", "CarbonConfig", "CarbonCache", "CarbonWriter", "CarbonNetwork",
                           "StatsdCore", "StatsdNetwork", "Whisper", "ServerRuntime",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "CarbonConfigTests", dependencies: carbon + ["Whisper"]),
        .testTarget(name: "CarbonCacheTests", dependencies: carbon),
        .testTarget(name: "CarbonWriterTests", dependencies: carbon + ["Whisper"]),
        .testTarget(name: "CarbonNetworkTests", dependencies: carbon + ["Whisper", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "ReadCoreTests", dependencies: ["ReadCore", "CarbonConfig", "CarbonCache", "Whisper", "Pickle", "ServerRuntime"]),
        .testTarget(name: "ReadServerTests", dependencies: ["ReadServer", "ReadCore", "CarbonConfig", "CarbonCache",
                                                            .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "StokerCLITests", dependencies: ["stoker", "Whisper"]),
    ],
    swiftLanguageModes: [.v6]
)
