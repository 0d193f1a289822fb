import Foundation

/// The JSON-lines codec for events and commands: one compact object per line, keys sorted so
/// the same event always gives the same bytes.
public enum JSONLines {
  /// What reading one line gave.
  public enum Decoded<T: Sendable>: Sendable {
    case value(T)
    /// A line that was skipped, and why (unknown type, newer schema, bad JSON).
    case skipped(String)
    /// A blank line.
    case empty
  }

  /// One line of JSON (no trailing newline).
  public static func encode<T: Encodable>(_ value: T) throws -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try enc.encode(value), as: UTF8.self)
  }

  /// Decodes one event line; never throws: problems come back as `.skipped` with a reason.
  public static func decodeEvent(_ line: Substring, lineNumber: Int) -> Decoded<RunEvent> {
    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return .empty }
    do {
      return .value(try JSONDecoder().decode(RunEvent.self, from: Data(trimmed.utf8)))
    } catch let e as RunEvent.UnknownType {
      return .skipped("line \(lineNumber): unknown event type '\(e.type)', skipped")
    } catch let e as RunEvent.NewerVersion {
      return .skipped("line \(lineNumber): event schema v\(e.version) is newer than this grpotop's v\(RunSchema.version), skipped")
    } catch {
      return .skipped("line \(lineNumber): not a valid event (\(oneLine(error))), skipped")
    }
  }

  /// Decodes one command line; problems come back as `.skipped` with a reason.
  public static func decodeCommand(_ line: Substring) -> Decoded<RunCommand> {
    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return .empty }
    do {
      return .value(try JSONDecoder().decode(RunCommand.self, from: Data(trimmed.utf8)))
    } catch let e as RunCommand.Invalid {
      return .skipped(e.description)
    } catch {
      return .skipped("not a valid command (\(oneLine(error)))")
    }
  }

  /// Reads every event of an events.jsonl file, with one warning per skipped line.
  public static func readEvents(path: String) throws -> (events: [RunEvent], warnings: [String]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var events: [RunEvent] = [], warnings: [String] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      switch decodeEvent(line, lineNumber: i + 1) {
      case .value(let e): events.append(e)
      case .skipped(let why): warnings.append("\(path): \(why)")
      case .empty: break
      }
    }
    return (events, warnings)
  }

  static func oneLine(_ e: Error) -> String {
    if let d = e as? DecodingError { return describe(d) }
    return String(describing: e).split(whereSeparator: \.isNewline).joined(separator: " ").prefix(200).description
  }

  /// A decoding error in a few words: which key, and what was wrong with it.
  static func describe(_ e: DecodingError) -> String {
    func path(_ keys: [CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
    switch e {
    case .keyNotFound(let key, let c): return "missing key '\(path(c.codingPath + [key]))'"
    case .typeMismatch(_, let c), .valueNotFound(_, let c): return "key '\(path(c.codingPath))' has the wrong type"
    case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not valid JSON" : "key '\(path(c.codingPath))': \(c.debugDescription)"
    @unknown default: return String(describing: e)
    }
  }
}
