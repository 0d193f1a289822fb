import ArgumentParser
import Engine
import Foundation
import Trainer

/// `grpotop pretrain <model>`: trains one of the base models from its config and seed.
struct PretrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pretrain", abstract: "Pretrain a base model from a config in Configs/ (deterministic by seed).")

  enum Model: String, ExpressibleByArgument, CaseIterable {
    case generator
    case editor
    case backbone
    case preference
    case judge
    case quality
    case stylescore
  }

  @Argument(help: "Which model: \(Model.allCases.map(\.rawValue).joined(separator: ", ")).") var model: Model
  @Option(name: .long, help: "YAML config (default: the built-in defaults, as Configs/pretrain-<model>.yaml).") var config: String?
  @Option(name: .customLong("set"), help: "Override a config key, e.g. --set steps=100 (repeatable).") var overrides: [String] = []
  @Option(help: "OpenBLAS threads.") var threads = 1

  func run() throws {
    BLAS.setThreads(threads)
    let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    switch model {
    case .generator:
      let cfg = try ConfigLoader.load(GeneratorPretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainGenerator(cfg, log: log)
      print(String(format: "generator: %d steps, final loss %.4f, %.1f images/s on %d thread(s), %@",
                   r.steps, r.finalLoss, r.imagesPerSecond, r.threads, ProgressLine.duration(r.seconds)))
    case .editor:
      let cfg = try ConfigLoader.load(EditorPretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainEditor(cfg, log: log)
      print(r.table())
      print(String(format: "editor: %d steps, final loss %.4f, %.1f images/s on %d thread(s), %@",
                   r.steps, r.finalLoss, r.imagesPerSecond, BLAS.threads, ProgressLine.duration(r.seconds)))
    case .backbone:
      let cfg = try ConfigLoader.load(BackbonePretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainBackbone(cfg, log: log)
      if let probe = r.probe { print(probe.table()) }
      print(String(format: "backbone: %d steps, final loss %.4f, %.1f images/s (%.1f views/s) on %d thread(s), %@",
                   r.steps, r.finalLoss, r.imagesPerSecond, r.viewsPerSecond, r.threads, ProgressLine.duration(r.seconds)))
    case .preference:
      let cfg = try ConfigLoader.load(PreferencePretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainPreference(cfg, log: log)
      print(r.table())
      print(String(format: "preference: %d steps, held-out pairwise accuracy %.1f%%, %@",
                   r.steps, 100 * r.heldOutAccuracy, ProgressLine.duration(r.seconds)))
    case .stylescore:
      let cfg = try ConfigLoader.load(StyleScorePretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainStyleScore(cfg, log: log)
      print(r.table())
      print(String(format: "stylescore: %d steps, held-out accuracy %.1f%%, %@", r.steps, 100 * r.heldOutAccuracy,
                   ProgressLine.duration(r.seconds)))
    case .judge:
      let cfg = try ConfigLoader.load(JudgePretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainJudge(cfg, log: log)
      print(r.table())
      print(String(format: "%@: %d steps, worst clean attribute %.1f%%, prompt-aligned %.1f%%, %.1f images/s, %@",
                   r.name, r.steps, 100 * r.heldOut.worstClean, 100 * r.heldOut.clean.aligned, r.imagesPerSecond,
                   ProgressLine.duration(r.seconds)))
    case .quality:
      let cfg = try ConfigLoader.load(QualityPretrainConfig.self, path: config, overrides: overrides)
      let r = try pretrainQuality(cfg, log: log)
      print(r.heldOut.table())
      print(String(format: "quality: %d steps, Spearman %.3f, %.1f images/s, %@",
                   r.steps, r.heldOut.spearman, r.imagesPerSecond, ProgressLine.duration(r.seconds)))
    }
  }
}
