import Foundation

/// The type of a hyperparameter, which decides how it is edited and validated.
public enum HyperparameterType: String, Codable, Sendable {
  case float
  case int
  case bool
  case choice
}

/// One entry of the trainer's hyperparameter schema: what the dashboard may show and edit.
///
/// The dashboard never hard-codes which keys are live or their ranges; it reads them here,
/// so any trainer (ours or a PyTorch one using the Python client) describes itself.
public struct HyperparameterSpec: Codable, Sendable, Equatable {
  public var key: String
  public var type: HyperparameterType
  public var value: JSONValue
  public var min: Double?
  public var max: Double?
  public var choices: [String]?
  /// Whether it can change while the run goes on (applied at the next phase boundary).
  public var live: Bool
  /// How the nudge keys move it: "mul2" (×/÷ 2, for rates and β), "add1" (±1, integers).
  public var nudge: String?
  public var help: String

  public init(key: String, type: HyperparameterType, value: JSONValue, min: Double? = nil, max: Double? = nil,
              choices: [String]? = nil, live: Bool, nudge: String? = nil, help: String) {
    self.key = key
    self.type = type
    self.value = value
    self.min = min
    self.max = max
    self.choices = choices
    self.live = live
    self.nudge = nudge
    self.help = help
  }

  /// Checks a proposed value: nil when acceptable, else the reason in a few words.
  public func refusal(for proposed: JSONValue) -> String? {
    if !live { return "\(key) cannot change while the run goes on" }
    switch type {
    case .float, .int:
      guard let d = proposed.double, d.isFinite else { return "\(key) needs a number" }
      if type == .int, d != d.rounded() { return "\(key) needs a whole number" }
      if let lo = min, d < lo { return "\(key) must be ≥ \(JSONValue.number(lo)), got \(proposed)" }
      if let hi = max, d > hi { return "\(key) must be ≤ \(JSONValue.number(hi)), got \(proposed)" }
    case .bool:
      guard case .bool = proposed else { return "\(key) needs true or false" }
    case .choice:
      guard case .string(let s) = proposed, choices?.contains(s) ?? false else {
        return "\(key) must be one of \((choices ?? []).joined(separator: ", "))"
      }
    }
    return nil
  }

  /// Parses typed text into a value of this type (the dashboard's inline editor).
  public func parse(_ text: String) -> JSONValue? {
    let t = text.trimmingCharacters(in: .whitespaces)
    switch type {
    case .float, .int: return Double(t).map(JSONValue.number)
    case .bool:
      switch t.lowercased() {
      case "true", "yes", "on", "1": return .bool(true)
      case "false", "no", "off", "0": return .bool(false)
      default: return nil
      }
    case .choice: return .string(t)
    }
  }
}
