import ArgumentParser
import Engine
import Foundation
import Trainer

/// `grpotop probe`: linear probes of a backbone file against its architecture at random init.
struct ProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe",
    abstract: "Linear probes (colour, shape, position, style) of a backbone against the same ViT at random initialisation.")

  @Argument(help: ArgumentHelp("Backbone weights (default: the shipped backbone).", valueName: "backbone"))
  var path: String?
  @Option(name: .long, help: "Backbone pretraining YAML: its seed, sin_cos_positions and probe keys (default: the built-in ones).")
  var config: String?
  @Option(name: .customLong("set"), help: "Override a key of that config, e.g. --set probe.train_images=6000 (repeatable).")
  var overrides: [String] = []
  @Option(help: "OpenBLAS threads.") var threads = 1

  func run() throws {
    BLAS.setThreads(threads)
    let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    let cfg = try ConfigLoader.load(BackbonePretrainConfig.self, path: config, overrides: overrides)
    let backbone = try ModelLoader.backbone(path: path)
    let report = probeBackbone(backbone, cfg, log: log)
    print(report.table())
    print(String(format: "probe: %@", ProgressLine.duration(report.seconds)))
  }
}
