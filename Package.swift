// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every target of ours (set at the end): strict Swift 6, warnings are errors.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// The products of our dependencies that targets use, each named once.
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let cryptoExtras: Target.Dependency = .product(name: "_CryptoExtras", package: "swift-crypto")
let x509: Target.Dependency = .product(name: "X509", package: "swift-certificates")
let asn1: Target.Dependency = .product(name: "SwiftASN1", package: "swift-asn1")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTLS: Target.Dependency = .product(name: "HummingbirdTLS", package: "hummingbird")
let asyncHTTPClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")

let package = Package(
    name: "AICert",
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
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "TPM2", dependencies: [crypto]),
        .target(name: "AICertCore", dependencies: ["TPM2", crypto]),
        .target(name: "AICertVerify", dependencies: ["AICertCore", "TPM2", crypto, cryptoExtras, x509, asn1, yams]),
        .target(
            name: "AICertRunner",
            dependencies: ["AICertVerify", "AICertCore", "TPM2", hummingbird, hummingbirdTLS, nioSSL, asyncHTTPClient]),
        .target(name: "AICertImage", dependencies: ["AICertCore", "TPM2", crypto]),
        .target(
            name: "AICertClient",
            dependencies: [
                "AICertImage", "AICertVerify", "AICertCore", "TPM2",
                argumentParser, crypto, x509, asn1, yams, asyncHTTPClient, nioSSL, nioPosix, nioHTTP1,
            ],
            // The starter project of `aicert init` is examples/iris, byte for byte.
            resources: [
                .embedInCode("Starter/train.py"), .embedInCode("Starter/iris.csv"), .embedInCode("Starter/LICENSE"),
            ]
        ),
        .executableTarget(name: "aicert", dependencies: ["AICertClient", argumentParser]),
        .executableTarget(name: "aicert-runner", dependencies: ["AICertRunner", argumentParser]),
        .executableTarget(
            name: "verify-benchmark", dependencies: ["AICertVerify", "AICertCore"], path: "Benchmarks/VerifyBenchmark"),
        .target(name: "TPMTestSupport", dependencies: ["TPM2", "AICertCore"], path: "Tests/TPMTestSupport"),
        .testTarget(name: "TPM2Tests", dependencies: ["TPM2", "TPMTestSupport", "AICertVerify", crypto, x509, asn1]),
        .testTarget(
            name: "AICertCoreTests", dependencies: ["AICertCore", "TPM2", "TPMTestSupport"],
            resources: [.copy("Vectors")]),
        .testTarget(
            name: "AICertVerifyTests",
            dependencies: [
                "AICertVerify", "AICertRunner", "AICertClient", "AICertCore", "TPM2", "TPMTestSupport",
                x509, asn1, crypto,
            ],
            exclude: ["Fixtures", "Vectors"]
        ),
        .testTarget(
            name: "AICertRunnerTests",
            dependencies: [
                "AICertRunner", "AICertClient", "AICertVerify", "AICertCore", "TPM2", "TPMTestSupport",
                crypto, hummingbird, asyncHTTPClient, nioSSL,
            ]
        ),
        .testTarget(
            name: "AICertClientTests", dependencies: ["AICertClient", "AICertImage", "TPMTestSupport", argumentParser]),
        .testTarget(name: "CLITests", dependencies: ["TPMTestSupport", "AICertCore"]),
    ]
)

// Every target is ours, and every one is strict.
for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + strict
}
