// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every target of ours: strict Swift 6, warnings are errors.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "AICert",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aicert", targets: ["aicert"]),
        .executable(name: "aicert-runner", targets: ["aicert-runner"]),
        .library(name: "TPM2", targets: ["TPM2"]),
        .library(name: "AICertVerify", targets: ["AICertVerify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "TPM2",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "AICertCore",
            dependencies: ["TPM2", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "AICertVerify",
            dependencies: [
                "AICertCore", "TPM2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AICertRunner",
            dependencies: [
                "AICertVerify", "AICertCore", "TPM2",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AICertImage",
            dependencies: ["AICertCore", "TPM2", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "AICertClient",
            dependencies: [
                "AICertImage", "AICertVerify", "AICertCore", "TPM2",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            // The starter project of `aicert init` is examples/iris, byte for byte.
            resources: [
                .embedInCode("Starter/train.py"), .embedInCode("Starter/iris.csv"), .embedInCode("Starter/LICENSE"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "aicert",
            dependencies: [
                "AICertClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "aicert-runner",
            dependencies: [
                "AICertRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "verify-benchmark",
            dependencies: ["AICertVerify", "AICertCore"],
            path: "Benchmarks/VerifyBenchmark",
            swiftSettings: strict
        ),
        .target(
            name: "TPMTestSupport",
            dependencies: ["TPM2", "AICertCore"],
            path: "Tests/TPMTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TPM2Tests",
            dependencies: [
                "TPM2", "TPMTestSupport", "AICertVerify",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AICertCoreTests", dependencies: ["AICertCore", "TPM2", "TPMTestSupport"],
            resources: [.copy("Vectors")], swiftSettings: strict),
        .testTarget(
            name: "AICertVerifyTests",
            dependencies: [
                "AICertVerify", "AICertRunner", "AICertClient", "AICertCore", "TPM2", "TPMTestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures", "Vectors"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AICertRunnerTests",
            dependencies: [
                "AICertRunner", "AICertClient", "AICertVerify", "AICertCore", "TPM2", "TPMTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AICertClientTests",
            dependencies: [
                "AICertClient", "AICertImage", "TPMTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "CLITests", dependencies: ["TPMTestSupport", "TPM2"], swiftSettings: strict),
    ]
)
