// swift-tools-version: 6.1
// grpotop: GRPO post-training of flow-matching image generators on the CPU, with a live
// terminal dashboard. Layers (a module imports only lower rows), see docs/ and README.md:
//   5 grpotop (CLI)
//   4 Trainer, Dashboard
//   3 GRPO
//   2 Models, World
//   1 Engine, Imaging, RunProtocol
//   0 CBLAS, CNCurses, CPNG (system libraries)
import PackageDescription

// Numeric kernels run on raw pointers with their own bounds discipline; the exclusivity
// checks cost measurable time in the hot loops and buy nothing there.
let fast: [SwiftSetting] = [
  .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
  name: "grpotop",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "grpotop", targets: ["grpotop"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
  ],
  targets: [
    // Layer 0: system libraries, each touched by exactly one Swift file.
    .systemLibrary(
      name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    // No pkgConfig: SwiftPM would drop its -D flags with a warning; the shim defines
    // NCURSES_WIDECHAR itself.
    .systemLibrary(
      name: "CNCurses", path: "Sources/CNCurses",
      providers: [.apt(["libncursesw5-dev"])]),
    .systemLibrary(
      name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]),
    // Counts the process's heap allocations for the benchmarks (interposes malloc).
    .target(name: "CAllocCount", path: "Sources/CAllocCount"),

    // Layer 1.
    .target(name: "Engine", dependencies: ["CBLAS"], swiftSettings: fast),
    .target(name: "Imaging", dependencies: ["CPNG"], swiftSettings: fast),
    .target(name: "RunProtocol"),

    // Layer 2.
    .target(name: "Models", dependencies: ["Engine"], resources: [.copy("Weights")], swiftSettings: fast),
    .target(name: "World", dependencies: ["Engine", "Imaging"], swiftSettings: fast),

    // Layer 3: samplers, advantages, losses, rewards; synchronous, seeded, no I/O.
    .target(name: "GRPO", dependencies: ["Engine", "Models", "World"], swiftSettings: fast),

    // Layer 4: the only module with files, a clock and (later) an actor.
    .target(
      name: "Trainer",
      dependencies: [
        "Engine", "Imaging", "Models", "World", "GRPO", "RunProtocol",
        .product(name: "Yams", package: "Yams"),
        .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
      ],
      swiftSettings: fast),

    // Layer 4: the ncurses front; sees only RunProtocol values, never the trainer or engine.
    .target(name: "Dashboard", dependencies: ["RunProtocol", "Imaging", "CNCurses"]),

    // Layer 5: the command line composes everything and holds no logic of its own.
    .executableTarget(
      name: "grpotop",
      dependencies: [
        "Engine", "Imaging", "RunProtocol", "Models", "World", "GRPO", "Trainer", "Dashboard", "CAllocCount",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: fast),

    // Tests share helpers through TestSupport.
    .target(name: "TestSupport", dependencies: ["Engine", "Imaging"], path: "Tests/TestSupport"),
    .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
    .testTarget(name: "RunProtocolTests", dependencies: ["RunProtocol", "TestSupport"]),
    .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
    .testTarget(name: "WorldTests", dependencies: ["World", "TestSupport"]),
    .testTarget(name: "GRPOTests", dependencies: ["GRPO", "World", "TestSupport"]),
    .testTarget(name: "TrainerTests", dependencies: ["Trainer", "TestSupport"]),
    .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Imaging", "TestSupport"]),
  ]
)
