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
  @Option(help: "Timed iterations after one warm-up (even: the ratio schedule alternates).") var iterations = 4

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
    var totals: [Double] = [], gemmSeconds: [Double] = [], allocations: [Double] = []
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
      gemmSeconds.append(Double(loop.graphs.reduce(0) { $0 + $1.gemmNanos }) / 1e9)
    }
    // Means, not medians: under the ratio schedule iterations alternate between a generator
    // update and a discriminator update, so a median iteration is neither. Each phase's mean
    // counts the iterations it did not run as 0, so the shares add up to the whole.
    let mean = totals.reduce(0, +) / Double(max(totals.count, 1))
    print(String(format: "  seconds per iteration   %6.2f  (mean of %d; fastest %.2f, slowest %.2f)", mean, iterations,
                 totals.min() ?? 0, totals.max() ?? 0))
    for p in ["sampling", "scoring", "discriminator", "update"] {
      let values = collected.compactMap { $0["ms_" + p] }
      guard !values.isEmpty else { continue }
      let seconds = values.reduce(0, +) / 1e3 / Double(max(collected.count, 1))
      let label = p.padding(toLength: 22, withPad: " ", startingAt: 0)
      print("  \(label)" + String(format: " %6.2f s  %5.1f %%  (in %d of %d)", seconds, 100 * seconds / mean, values.count, collected.count))
    }
    let skipped = collected.filter { $0["skipped_update"] == 1 }.count
    if skipped > 0 { print("  (\(skipped) of \(iterations) iterations trained the discriminator instead of the generator)") }
    print(String(format: "  inside sgemm            %4.1f %% of the time", 100 * gemmSeconds.reduce(0, +) / max(totals.reduce(0, +), 1e-9)))
    // Heap allocations of the whole process, events, rewards' bookkeeping and thumbnails
    // included. Comparing micro_batch 4 with 32 shows what each update micro-batch still costs.
    print(String(format: "  heap allocations        %6.0f per iteration (mean)", allocations.reduce(0, +) / Double(max(allocations.count, 1))))
  }
}
