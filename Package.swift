// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Stoker",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stoker", targets: ["stoker"]),
        .executable(name: "stoker-bench", targets: ["stoker-bench"]),
        .library(name: "Whisper", targets: ["Whisper"]),
        .library(name: "Carbon", targets: ["Carbon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // The whisper file format alone: no sockets, no threads.
        .target(name: "Whisper"),
        // Carbon's storage side: rules, metric names and paths.
        .target(
            name: "Carbon",
            dependencies: [
                "Whisper",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "stoker",
            dependencies: [
                "Whisper", "Carbon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "stoker-bench",
            dependencies: [
                "Whisper",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "WhisperTests", dependencies: ["Whisper"]),
        .testTarget(name: "CarbonTests", dependencies: ["Carbon", "Whisper"]),
        .testTarget(name: "StokerCLITests", dependencies: ["stoker", "Whisper"]),
    ],
    swiftLanguageModes: [.v6]
)
