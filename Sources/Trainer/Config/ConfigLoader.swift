import Engine
import Foundation
import Yams

/// A configuration problem, as one line naming the file or flag, the key and what is allowed.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// A configuration that can check its own values after decoding.
public protocol ValidatedConfig: Codable, Sendable {
  /// The config with every default, the schema every file is checked against.
  static var defaults: Self { get }
  /// Throws a ConfigError naming the first key whose value is out of range.
  func validate() throws
}

/// Decodes YAML configurations into Codable structs, nanoGPT's configurator done safely.
///
/// Keys are snake_case in files and flags (`batch_size`, `kl.beta`) and camelCase in Swift.
/// The defaults are encoded to a key tree first; the file's keys are laid over it, then each
/// `--set a.b=value` override. A key the defaults do not have is an error naming the nearest
/// known key; a value of the wrong type is an error naming the key and the expected type;
/// then `validate()` checks ranges. Missing keys keep their defaults.
public enum ConfigLoader {
  /// Loads `C` from an optional YAML file and overrides of the form `key.path=value`.
  public static func load<C: ValidatedConfig>(_ type: C.Type, path: String?, overrides: [String] = []) throws -> C {
    var tree = try defaultTree(C.defaults)
    if let path {
      let text: String
      do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
        throw ConfigError("\(path): cannot read (\(error.localizedDescription))")
      }
      let loaded: Any?
      do { loaded = try Yams.load(yaml: text) } catch {
        throw ConfigError("\(path): not valid YAML (\(oneLine(error)))")
      }
      if let loaded {
        guard let mapping = loaded as? [String: Any] else { throw ConfigError("\(path): the top level must be a mapping of keys") }
        try merge(mapping, into: &tree, prefix: "", source: path)
      }
    }
    for o in overrides { try applyOverride(o, to: &tree) }
    let config: C
    do {
      let data = try JSONSerialization.data(withJSONObject: tree)
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      config = try decoder.decode(C.self, from: data)
    } catch let e as DecodingError {
      throw ConfigError("\(path ?? "config"): \(describe(e))")
    }
    do { try config.validate() } catch let e as ConfigError {
      throw ConfigError("\(path ?? "config"): \(e.description)")
    }
    return config
  }

  /// The resolved configuration as YAML (what a run directory's config.yaml holds).
  public static func yaml<C: Encodable>(_ config: C) throws -> String {
    // Through Yams rather than JSONSerialization: its NSNumbers would dump every integer as
    // a float ("every: 2.5e+1"); JSON text read as YAML keeps 25 an Int and 0.001 a Double.
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let json = String(decoding: try encoder.encode(config), as: UTF8.self)
    guard let tree = try Yams.load(yaml: json) as? [String: Any] else {
      throw ConfigError("internal: a config must encode to a mapping")
    }
    return try Yams.dump(object: plainFloats(tree), sortKeys: true)
  }

  /// The tree with every finite Double wrapped to print as Swift's shortest round-tripping
  /// decimal (0.5, 0.001): Yams alone writes them in exponent form (5e-1, 1e-3).
  private static func plainFloats(_ value: Any) -> Any {
    switch value {
    case let mapping as [String: Any]: return mapping.mapValues(plainFloats)
    case let sequence as [Any]: return sequence.map(plainFloats)
    case let number as Double where number.isFinite: return PlainFloat(value: number)
    default: return value
    }
  }

  /// The config as a key tree with snake_case keys, the spelling of every file and flag.
  public static func defaultTree<C: Encodable>(_ value: C) throws -> [String: Any] {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let data = try encoder.encode(value)
    guard let tree = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ConfigError("internal: a config must encode to a mapping")
    }
    return tree
  }

  /// Lays `user` over `tree`, refusing keys the tree does not know.
  static func merge(_ user: [String: Any], into tree: inout [String: Any], prefix: String, source: String) throws {
    for (key, value) in user.sorted(by: { $0.key < $1.key }) {
      let full = prefix.isEmpty ? key : "\(prefix).\(key)"
      guard let existing = tree[key] else {
        // Ties go to the alphabetically first key: a dictionary's order changes from run to
        // run, and the hint must not.
        let near = tree.keys.min { (editDistance($0, key), $0) < (editDistance($1, key), $1) }
        let hint = near.map { " (did you mean '\(prefix.isEmpty ? $0 : "\(prefix).\($0)")'?)" } ?? ""
        throw ConfigError("\(source): unknown key '\(full)'\(hint)")
      }
      if var sub = existing as? [String: Any] {
        guard let userSub = value as? [String: Any] else {
          throw ConfigError("\(source): key '\(full)' must be a mapping with keys \(sub.keys.sorted().joined(separator: ", "))")
        }
        try merge(userSub, into: &sub, prefix: full, source: source)
        tree[key] = sub
      } else {
        tree[key] = jsonCompatible(value)
      }
    }
  }

  /// Applies one `a.b.c=value` override; the value is read as a YAML scalar or list.
  static func applyOverride(_ text: String, to tree: inout [String: Any]) throws {
    guard let eq = text.firstIndex(of: "=") else {
      throw ConfigError("--set \(text): expected key=value")
    }
    let path = String(text[..<eq]).split(separator: ".").map(String.init)
    let raw = String(text[text.index(after: eq)...])
    guard !path.isEmpty else { throw ConfigError("--set \(text): empty key") }
    let value: Any = (try? Yams.load(yaml: raw)).flatMap { $0 } ?? raw
    var nested: [String: Any] = [path[path.count - 1]: value]
    for key in path.dropLast().reversed() { nested = [key: nested] }
    try merge(nested, into: &tree, prefix: "", source: "--set \(text)")
  }

  /// Yams produces Int, Double, Bool, String, arrays and dictionaries; JSON takes them all
  /// except dates and binary data, which configs never hold.
  static func jsonCompatible(_ v: Any) -> Any {
    if let a = v as? [Any] { return a.map(jsonCompatible) }
    if let d = v as? [String: Any] { return d.mapValues(jsonCompatible) }
    if v is Date || v is Data { return String(describing: v) }
    return v
  }

  static func describe(_ e: DecodingError) -> String {
    func path(_ ctx: DecodingError.Context) -> String {
      ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch e {
    case .typeMismatch(let type, let ctx): return "key '\(snake(path(ctx)))': expected \(typeName(type))"
    case .valueNotFound(let type, let ctx): return "key '\(snake(path(ctx)))': missing \(typeName(type))"
    case .keyNotFound(let key, let ctx): return "key '\(snake(path(ctx))).\(snake(key.stringValue))' is missing"
    case .dataCorrupted(let ctx): return "key '\(snake(path(ctx)))': \(ctx.debugDescription)"
    @unknown default: return oneLine(e)
    }
  }

  /// camelCase → snake_case, as the key strategy spells them.
  static func snake(_ s: String) -> String {
    var out = ""
    for ch in s {
      if ch.isUppercase {
        out += "_" + ch.lowercased()
      } else {
        out.append(ch)
      }
    }
    return out
  }

  static func typeName(_ t: Any.Type) -> String {
    switch t {
    case is Int.Type, is UInt64.Type, is Int32.Type: return "an integer"
    case is Float.Type, is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type: return "a string"
    default: return String(describing: t)
    }
  }

  static func oneLine(_ e: Error) -> String {
    String(describing: e).split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}

/// Range checks for `validate()` implementations.
public func require(_ ok: Bool, _ key: String, _ allowed: @autoclosure () -> String) throws {
  if !ok { throw ConfigError("key '\(key)': \(allowed())") }
}

/// A Double that YAML shows as Swift's `description` ("0.99", "1e-05"), which reads back to
/// the same bits.
private struct PlainFloat: NodeRepresentable {
  let value: Double
  func represented() throws -> Node { Node(value.description, Tag(.float)) }
}
