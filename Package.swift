// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "demilge",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "demilge", targets: ["demilge"]),
        .executable(name: "demilge-bench", targets: ["demilge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.19.7"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Pure domain logic: Foundation, swift-crypto (SHA-256) and BigInt (exact rationals) only.
        .target(
            name: "DemilgeCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        // zlib, to gzip a cached page once (zlib1g-dev, which the Swift toolchain needs on Linux anyway).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "DemilgeApp",
            dependencies: [
                "DemilgeCore",
                "CZlib",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "demilge", dependencies: ["DemilgeApp"]),
        // Times the budgeting rules against pabutools (scripts/bench-pabulib); needs DemilgeCore only.
        .executableTarget(name: "demilge-bench", dependencies: ["DemilgeCore"], path: "Benchmarks/PabulibBench"),
        .testTarget(name: "DemilgeCoreTests", dependencies: ["DemilgeCore"]),
        .testTarget(
            name: "DemilgeAppTests",
            dependencies: [
                "DemilgeApp",
                "CZlib",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ]
        ),
    ]
)
