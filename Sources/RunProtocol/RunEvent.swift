import Foundation

/// What happened, one case per event type.
public enum EventPayload: Sendable, Equatable {
  case runStart(RunStart)
  case phase(PhaseChange)
  case stepMetrics(Metrics)
  case iterationMetrics(Metrics)
  case histogram(Histogram)
  case samples(SampleGroup)
  case discriminatorUpdate(DiscriminatorUpdate)
  case evaluation(Metrics)
  case hyperparameterChange(HyperparameterChange)
  case checkpoint(CheckpointSaved)
  case log(LogLine)
  case runEnd(RunEnd)

  /// The wire name of the type (the JSON "type" field).
  public var typeName: String {
    switch self {
    case .runStart: return "run_start"
    case .phase: return "phase"
    case .stepMetrics: return "step_metrics"
    case .iterationMetrics: return "iteration_metrics"
    case .histogram: return "histogram"
    case .samples: return "samples"
    case .discriminatorUpdate: return "discriminator_update"
    case .evaluation: return "evaluation"
    case .hyperparameterChange: return "hyperparameter_change"
    case .checkpoint: return "checkpoint"
    case .log: return "log"
    case .runEnd: return "run_end"
    }
  }
}

/// One event of a run: the versioned envelope around a payload.
///
/// On the wire (events.jsonl, one object per line):
/// `{"v":1,"seq":12,"time":1763924000.5,"type":"step_metrics","data":{…}}`.
/// `seq` counts events from 0 within a run; `time` is Unix seconds.
public struct RunEvent: Codable, Sendable, Equatable {
  public var version: Int
  public var seq: Int
  public var time: Double
  public var payload: EventPayload

  public init(seq: Int, time: Double, payload: EventPayload, version: Int = RunSchema.version) {
    self.version = version
    self.seq = seq
    self.time = time
    self.payload = payload
  }

  enum CodingKeys: String, CodingKey { case version = "v", seq, time, type, data }

  /// Raised for an event type this build does not know (readers skip it with a warning).
  public struct UnknownType: Error { public let type: String }
  /// Raised for a schema version newer than this build's (readers skip it with a warning).
  public struct NewerVersion: Error { public let version: Int }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    version = try c.decode(Int.self, forKey: .version)
    if version > RunSchema.version { throw NewerVersion(version: version) }
    seq = try c.decodeIfPresent(Int.self, forKey: .seq) ?? 0
    time = try c.decodeIfPresent(Double.self, forKey: .time) ?? 0
    let type = try c.decode(String.self, forKey: .type)
    func data<T: Decodable>(_ t: T.Type) throws -> T { try c.decode(T.self, forKey: .data) }
    switch type {
    case "run_start": payload = .runStart(try data(RunStart.self))
    case "phase": payload = .phase(try data(PhaseChange.self))
    case "step_metrics": payload = .stepMetrics(try data(Metrics.self))
    case "iteration_metrics": payload = .iterationMetrics(try data(Metrics.self))
    case "histogram": payload = .histogram(try data(Histogram.self))
    case "samples": payload = .samples(try data(SampleGroup.self))
    case "discriminator_update": payload = .discriminatorUpdate(try data(DiscriminatorUpdate.self))
    case "evaluation": payload = .evaluation(try data(Metrics.self))
    case "hyperparameter_change": payload = .hyperparameterChange(try data(HyperparameterChange.self))
    case "checkpoint": payload = .checkpoint(try data(CheckpointSaved.self))
    case "log": payload = .log(try data(LogLine.self))
    case "run_end": payload = .runEnd(try data(RunEnd.self))
    default: throw UnknownType(type: type)
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(version, forKey: .version)
    try c.encode(seq, forKey: .seq)
    try c.encode(time, forKey: .time)
    try c.encode(payload.typeName, forKey: .type)
    switch payload {
    case .runStart(let p): try c.encode(p, forKey: .data)
    case .phase(let p): try c.encode(p, forKey: .data)
    case .stepMetrics(let p), .iterationMetrics(let p), .evaluation(let p): try c.encode(p, forKey: .data)
    case .histogram(let p): try c.encode(p, forKey: .data)
    case .samples(let p): try c.encode(p, forKey: .data)
    case .discriminatorUpdate(let p): try c.encode(p, forKey: .data)
    case .hyperparameterChange(let p): try c.encode(p, forKey: .data)
    case .checkpoint(let p): try c.encode(p, forKey: .data)
    case .log(let p): try c.encode(p, forKey: .data)
    case .runEnd(let p): try c.encode(p, forKey: .data)
    }
  }
}

/// Base64 for thumbnails, through Foundation.
enum Base64 {
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
  static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { [UInt8]($0) } }
}
