import ArgumentParser
import Engine
import Foundation
import Imaging
import Models
import Trainer
import World

/// `grpotop sample`: images from the generator for one prompt, as a PNG grid and a terminal preview.
struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample", abstract: "Sample images for a prompt; write a PNG grid and preview it in the terminal.")

  @Option(help: "The prompt, e.g. \"two red circles on blue\".") var prompt: String
  @Option(name: .short, help: "Number of images.") var n = 16
  @Option(help: "Sampler steps.") var steps = 10
  @Option(help: "Classifier-free guidance scale (1: none).") var guidance: Float = 1
  @Option(help: "Seed of the noise.") var seed: UInt64 = 0
  @Option(help: "Generator weights, or a GRPO run directory or checkpoint (default: the shipped generator).") var checkpoint: String?
  @Option(help: "Output PNG.") var out = "grid.png"
  @Flag(help: "Skip the terminal preview.") var noPreview = false
  @Flag(help: "Use the stochastic (SDE) sampler instead of the ODE.") var sde = false
  @Option(help: "SDE noise level a.") var noiseLevel: Float = 0.7
  @Option(help: "With --sde: write every step's x, v, mean, std, next x and log-prob to this safetensors file.") var dump: String?

  func validate() throws {
    guard n >= 1 else { throw ValidationError("-n must be at least 1, got \(n)") }
    guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
    guard guidance >= 0 && guidance <= 20 else { throw ValidationError("--guidance must be in 0...20, got \(guidance)") }
  }

  func run() throws {
    BLAS.setThreads(1)
    let parsed = try Prompt.parse(prompt)
    let generator = try Checkpoint.anyGenerator(path: checkpoint)
    let images: [RGBImage]
    if sde {
      let path = dump ?? "/dev/null"
      let final = try TrajectoryDump.write(generator, prompt: parsed, count: n, steps: steps, noiseLevel: noiseLevel, shift: 1,
                                           reduce: .mean, guidance: guidance, seed: seed, to: path)
      let S = generator.config.imageSize, D = 3 * S * S
      images = final.withUnsafeBufferPointer { buf in
        (0..<n).map { RGBImage(planarSigned: UnsafeBufferPointer(rebasing: buf[($0 * D)..<(($0 + 1) * D)]), width: S, height: S) }
      }
      if let dump { print("trajectory of \(n) samples × \(steps) steps → \(dump)") }
    } else {
      if dump != nil { throw ValidationError("--dump needs --sde") }
      images = Generate.images(generator, prompts: Array(repeating: parsed, count: n), seed: seed, steps: steps, guidance: guidance)
    }
    let columns = min(n, 8)
    let grid = ImageGrid.compose(images, columns: columns, padding: 1)
    try PNG.write(grid, to: out)
    print("\(n) samples of \"\(parsed.text)\" (\(steps) \(sde ? "SDE" : "ODE") steps\(guidance == 1 ? "" : ", cfg \(guidance)"), seed \(seed)) → \(out)")
    if !noPreview {
      for line in TerminalPreview.halfBlocks(grid) { print(line) }
    }
  }
}
