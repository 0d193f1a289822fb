/// The start of a run: what it is, its configuration and the schema of what can be edited.
public struct RunStart: Codable, Sendable, Equatable {
  public var runID: String
  /// "flow-grpo", "adv-grpo", "pref-grpo", "style-grpo", or whatever an external trainer says.
  public var algorithm: String
  public var config: JSONValue
  public var hyperparameters: [HyperparameterSpec]
  public var totalIterations: Int
  public var groupSize: Int
  public var promptsPerIteration: Int
  /// The reward names in the order metrics report them.
  public var rewards: [String]
  /// Where the run writes (run directory), if it has one.
  public var runDirectory: String?
  /// The iteration this session starts from (> 0 after a resume).
  public var startIteration: Int

  public init(runID: String, algorithm: String, config: JSONValue, hyperparameters: [HyperparameterSpec], totalIterations: Int,
              groupSize: Int, promptsPerIteration: Int, rewards: [String], runDirectory: String?, startIteration: Int = 0) {
    self.runID = runID
    self.algorithm = algorithm
    self.config = config
    self.hyperparameters = hyperparameters
    self.totalIterations = totalIterations
    self.groupSize = groupSize
    self.promptsPerIteration = promptsPerIteration
    self.rewards = rewards
    self.runDirectory = runDirectory
    self.startIteration = startIteration
  }
}

/// The training phases a run moves through; a pause takes effect within one of them.
public enum Phase: String, Codable, Sendable, CaseIterable {
  case sampling, scoring, discriminator, update, evaluation, checkpoint, sft, paused, idle, finished
}

/// The run entered a phase (and, for `sft`/GRPO stage changes, a new stage).
public struct PhaseChange: Codable, Sendable, Equatable {
  public var iteration: Int
  public var phase: Phase
  /// A stage label when the run's algorithm changes stage ("sft" → "grpo"), else nil.
  public var stage: String?
  public init(iteration: Int, phase: Phase, stage: String? = nil) {
    self.iteration = iteration
    self.phase = phase
    self.stage = stage
  }
}

/// Named scalar metrics at one point of the run (ALGORITHMS.md §2's names).
public struct Metrics: Codable, Sendable, Equatable {
  public var iteration: Int
  /// The optimizer step for per-step metrics; nil for per-iteration ones.
  public var step: Int?
  public var values: [String: Double]
  public init(iteration: Int, step: Int? = nil, values: [String: Double]) {
    self.iteration = iteration
    self.step = step
    self.values = values
  }
}

/// A histogram over [low, high] with equal bins (the advantages of one iteration).
public struct Histogram: Codable, Sendable, Equatable {
  public var iteration: Int
  public var name: String
  public var low: Double
  public var high: Double
  public var counts: [Int]
  public init(iteration: Int, name: String, low: Double, high: Double, counts: [Int]) {
    self.iteration = iteration
    self.name = name
    self.low = low
    self.high = high
    self.counts = counts
  }

  /// Bins `values` into `bins` equal bins over [low, high] (values outside are clamped in).
  public init(iteration: Int, name: String, values: [Double], low: Double, high: Double, bins: Int) {
    var counts = [Int](repeating: 0, count: max(1, bins))
    let width = (high - low) / Double(counts.count)
    for v in values where v.isFinite {
      let i = width > 0 ? Int(((v - low) / width).rounded(.down)) : 0
      counts[min(max(i, 0), counts.count - 1)] += 1
    }
    self.init(iteration: iteration, name: name, low: low, high: high, counts: counts)
  }
}

/// A small RGB image carried in an event: 8-bit interleaved RGB, base64 in JSON.
public struct Thumbnail: Codable, Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// (height, width, 3) bytes.
  public var rgb: [UInt8]

  public init(width: Int, height: Int, rgb: [UInt8]) {
    self.width = width
    self.height = height
    self.rgb = rgb
  }

  enum CodingKeys: String, CodingKey { case width, height, rgb }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    width = try c.decode(Int.self, forKey: .width)
    height = try c.decode(Int.self, forKey: .height)
    let text = try c.decode(String.self, forKey: .rgb)
    guard let bytes = Base64.decode(text), bytes.count == width * height * 3 else {
      throw DecodingError.dataCorruptedError(forKey: .rgb, in: c, debugDescription: "rgb must be base64 of \(width)×\(height)×3 bytes")
    }
    rgb = bytes
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(width, forKey: .width)
    try c.encode(height, forKey: .height)
    try c.encode(Base64.encode(rgb), forKey: .rgb)
  }
}

/// One prompt's group of samples with their rewards and advantages, and its references.
public struct SampleGroup: Codable, Sendable, Equatable {
  public var iteration: Int
  public var prompt: String
  public var images: [Thumbnail]
  public var rewards: [Double]
  public var advantages: [Double]
  public var references: [Thumbnail]
  public init(iteration: Int, prompt: String, images: [Thumbnail], rewards: [Double], advantages: [Double], references: [Thumbnail]) {
    self.iteration = iteration
    self.prompt = prompt
    self.images = images
    self.rewards = rewards
    self.advantages = advantages
    self.references = references
  }
}

/// An Adv-GRPO discriminator update: why it ran and what it changed.
public struct DiscriminatorUpdate: Codable, Sendable, Equatable {
  public var iteration: Int
  /// "adaptive" (r̄_gen > r̄_ref), "ratio", or "manual".
  public var reason: String
  public var rewardGenerated: Double
  public var rewardReference: Double
  public var lossBefore: Double
  public var lossAfter: Double
  public var accuracyBefore: Double
  public var accuracyAfter: Double
  public var steps: Int
  public init(iteration: Int, reason: String, rewardGenerated: Double, rewardReference: Double, lossBefore: Double,
              lossAfter: Double, accuracyBefore: Double, accuracyAfter: Double, steps: Int) {
    self.iteration = iteration
    self.reason = reason
    self.rewardGenerated = rewardGenerated
    self.rewardReference = rewardReference
    self.lossBefore = lossBefore
    self.lossAfter = lossAfter
    self.accuracyBefore = accuracyBefore
    self.accuracyAfter = accuracyAfter
    self.steps = steps
  }
}

/// A hyperparameter changed: old → new, and who asked.
public struct HyperparameterChange: Codable, Sendable, Equatable {
  public var iteration: Int
  public var key: String
  public var old: JSONValue
  public var new: JSONValue
  /// "dashboard", "socket", "cli", "schedule" …
  public var by: String
  public init(iteration: Int, key: String, old: JSONValue, new: JSONValue, by: String) {
    self.iteration = iteration
    self.key = key
    self.old = old
    self.new = new
    self.by = by
  }
}

/// A checkpoint was written.
public struct CheckpointSaved: Codable, Sendable, Equatable {
  public var iteration: Int
  public var path: String
  /// "periodic", "request", "stop", "signal".
  public var reason: String
  public init(iteration: Int, path: String, reason: String) {
    self.iteration = iteration
    self.path = path
    self.reason = reason
  }
}

/// A line for the log panel.
public struct LogLine: Codable, Sendable, Equatable {
  public enum Level: String, Codable, Sendable { case debug, info, warning, error }
  public var level: Level
  public var message: String
  public init(level: Level, message: String) {
    self.level = level
    self.message = message
  }
}

/// The run is over.
public struct RunEnd: Codable, Sendable, Equatable {
  public var iteration: Int
  /// "completed", "stopped", "failed".
  public var status: String
  public var message: String?
  public init(iteration: Int, status: String, message: String? = nil) {
    self.iteration = iteration
    self.status = status
    self.message = message
  }
}
