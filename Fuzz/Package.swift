// swift-tools-version: 6.1
// libFuzzer harnesses for Sluice's decoders and parsers. A package of its own because it is built with
// `-sanitize=fuzzer,address`, which the normal `swift build` / `make test` must not need. Run from the
// top: `make fuzz SECONDS=N` (see docs/reliability.md, "Fuzzing").
import PackageDescription

let package = Package(
    name: "SluiceFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Sluice", path: "../"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "SluiceFuzz",
            dependencies: [
                .product(name: "Sluice", package: "Sluice"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
    ]
)
