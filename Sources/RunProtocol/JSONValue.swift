/// Any JSON value, for the parts of the protocol whose shape is open (configs, hyperparameter
/// values): Codable, Equatable and readable from Python without a schema.
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let b): try c.encode(b)
    case .number(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    }
  }

  /// The number, if this is one (booleans are not numbers).
  public var double: Double? {
    if case .number(let d) = self { return d }
    return nil
  }

  /// Compact text: numbers without a trailing ".0" when integral.
  public var description: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let d):
      if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
      return "\(d)"
    case .string(let s): return s
    case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
    case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(o[$0]?.description ?? "")" }.joined(separator: ", ") + "}"
    }
  }
}
