import ArgumentParser
import Engine
import Foundation
import RunProtocol
import Trainer

/// `grpotop bench grpo`: seconds per GRPO iteration on a config, broken down by phase, with
/// the share of time inside SGEMM.
struct GRPOBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "grpo", abstract: "Seconds per GRPO iteration, by phase.")

  @Option(help: "YAML config (default: the Adv-GRPO defaults).") var config: String?
  @Option(name: .customLong("set"), help: "Override a config key (repeatable).") var overrides: [String] = []
  @Option(help: "Timed iterations after one warm-up.") var iterations = 3

  func run() throws {
    let cfg = try ConfigLoader.load(TrainConfig.self, path: config, overrides: overrides)
    BLAS.setThreads(cfg.threads)
    let models = try RunModels(config: cfg)
    var collected: [[String: Double]] = []
    let loop = try GRPOLoop(config: cfg, models: models, emit: { payload in
      if case .iterationMetrics(let m) = payload { collected.append(m.values) }
    }, warn: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
    print("grpotop bench grpo · \(cfg.algorithm.rawValue) · \(cfg.grpo.promptsPerIteration)×\(cfg.grpo.groupSize) samples, \(cfg.sample.steps) steps, \(BLAS.threads) thread(s)")
    try loop.runIteration()  // warm-up: arenas grow, references render
    collected.removeAll()
    var totals: [Double] = [], gemmShares: [Double] = [], allocations: [Double] = []
    for _ in 0..<iterations {
      for g in loop.graphs {
        g.gemmNanos = 0
        g.profileGemm = true
      }
      var w = Stopwatch()
      AllocationCounter.start()
      try loop.runIteration()
      let secs = w.seconds
      allocations.append(Double(AllocationCounter.stop().count))
      w.restart()
      totals.append(secs)
      gemmShares.append(Double(loop.graphs.reduce(0) { $0 + $1.gemmNanos }) / 1e9 / secs)
    }
    let phases = ["sampling", "scoring", "discriminator", "update"]
    print(String(format: "  seconds per iteration   %6.2f  (median of %d)", median(totals), iterations))
    for p in phases {
      let values = collected.compactMap { $0["ms_" + p] }
      guard !values.isEmpty else { continue }
      let ms = median(values)
      // Shares are of the median iteration; an iteration where D trains has no update phase.
      let label = p.padding(toLength: 22, withPad: " ", startingAt: 0)
      print("  \(label)" + String(format: " %6.2f s  %5.1f %%  (in %d of %d)", ms / 1e3, 100 * ms / 1e3 / median(totals), values.count, iterations))
    }
    let skipped = collected.filter { $0["skipped_update"] == 1 }.count
    if skipped > 0 { print("  (\(skipped) of \(iterations) iterations trained the discriminator instead of the generator)") }
    print(String(format: "  inside sgemm            %4.1f %% of the iteration", 100 * median(gemmShares)))
    // Heap allocations of the whole process, events, rewards' bookkeeping and thumbnails
    // included. Comparing micro_batch 4 with 32 shows what each update micro-batch still costs.
    print(String(format: "  heap allocations        %6.0f per iteration (median)", median(allocations)))
  }
}
