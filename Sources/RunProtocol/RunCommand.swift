import Foundation

/// What a front end asks the trainer to do.
public enum CommandAction: Sendable, Equatable {
  case pause
  case resume
  /// Run exactly one iteration, then pause again.
  case step
  /// Change a live hyperparameter at the next phase boundary.
  case set(key: String, value: JSONValue)
  case saveCheckpoint
  /// Ask the front end(s) to write a dashboard snapshot.
  case snapshot
  /// Save a checkpoint and end the run.
  case stop
}

/// A command with its origin, as sent over the control socket or the in-process mailbox.
///
/// On the wire (one JSON object per line):
/// `{"v":1,"id":3,"by":"dashboard","action":"set","key":"lr","value":0.0001}`.
public struct RunCommand: Codable, Sendable, Equatable {
  public var version: Int
  public var id: Int
  public var by: String
  public var action: CommandAction

  public init(id: Int, by: String, action: CommandAction, version: Int = RunSchema.version) {
    self.version = version
    self.id = id
    self.by = by
    self.action = action
  }

  enum CodingKeys: String, CodingKey { case version = "v", id, by, action, key, value }

  /// A command this build cannot read; the reason is one line.
  public struct Invalid: Error, CustomStringConvertible { public let description: String }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    version = try c.decodeIfPresent(Int.self, forKey: .version) ?? RunSchema.version
    if version > RunSchema.version { throw Invalid(description: "command schema v\(version) is newer than v\(RunSchema.version)") }
    id = try c.decodeIfPresent(Int.self, forKey: .id) ?? 0
    by = try c.decodeIfPresent(String.self, forKey: .by) ?? "unknown"
    let name = try c.decode(String.self, forKey: .action)
    switch name {
    case "pause": action = .pause
    case "resume": action = .resume
    case "step": action = .step
    case "save_checkpoint": action = .saveCheckpoint
    case "snapshot": action = .snapshot
    case "stop": action = .stop
    case "set":
      action = .set(key: try c.decode(String.self, forKey: .key), value: try c.decode(JSONValue.self, forKey: .value))
    default:
      throw Invalid(description: "unknown action '\(name)' (pause, resume, step, set, save_checkpoint, snapshot, stop)")
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(version, forKey: .version)
    try c.encode(id, forKey: .id)
    try c.encode(by, forKey: .by)
    switch action {
    case .pause: try c.encode("pause", forKey: .action)
    case .resume: try c.encode("resume", forKey: .action)
    case .step: try c.encode("step", forKey: .action)
    case .saveCheckpoint: try c.encode("save_checkpoint", forKey: .action)
    case .snapshot: try c.encode("snapshot", forKey: .action)
    case .stop: try c.encode("stop", forKey: .action)
    case .set(let key, let value):
      try c.encode("set", forKey: .action)
      try c.encode(key, forKey: .key)
      try c.encode(value, forKey: .value)
    }
  }
}
