import Foundation

// The Dashboard may not import Yams, and a theme needs very little YAML: `key: value` pairs,
// `#` comments, and one level of sections. This reader accepts exactly that subset and names the
// file and line of anything else, so a typo in a user theme is one clear line, not a crash.

/// A theme file problem: where it is and what is wrong, as one line.
public struct ThemeError: Error, Equatable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var message: String
  public var description: String { "\(file):\(line): \(message)" }
}

/// Reads the flat YAML subset of theme files.
public enum ThemeReader {
  /// One `section.key: value` entry and the line it came from.
  public struct Entry: Equatable {
    public var key: String
    public var value: String
    public var line: Int
  }

  /// Splits a theme file into entries ("ui.text", "#c8ccd4"); top-level scalars have no dot.
  public static func entries(_ text: String, file: String) throws -> [Entry] {
    var out: [Entry] = []
    var section: String?
    for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let n = i + 1
      func fail(_ m: String) -> ThemeError { ThemeError(file: file, line: n, message: m) }
      var line = try stripComment(String(rawLine), fail: fail)
      while line.last == " " || line.last == "\r" { line.removeLast() }
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      if line.contains("\t") { throw fail("tabs are not allowed; indent with spaces") }
      let indent = line.prefix(while: { $0 == " " }).count
      let body = String(line.dropFirst(indent))
      guard let colon = body.firstIndex(of: ":") else { throw fail("expected 'key: value', got '\(body)'") }
      let key = String(body[..<colon]).trimmingCharacters(in: .whitespaces)
      let rest = String(body[body.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
      guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
        throw fail("'\(key)' is not a valid key (letters, digits, _ and -)")
      }
      if indent == 0 {
        if rest.isEmpty {
          section = key
        } else {
          section = nil
          out.append(Entry(key: key, value: try unquote(rest, fail: fail), line: n))
        }
      } else {
        guard let s = section else { throw fail("'\(key)' is indented but no section ('ui:', 'series:' …) opens above it") }
        if rest.isEmpty {
          if rawLine.contains("#") { throw fail("'\(key)' has no value: quote colours, e.g. \(key): \"#rrggbb\" (an unquoted # starts a comment)") }
          throw fail("'\(key)' has no value (only one level of sections is allowed)")
        }
        out.append(Entry(key: "\(s).\(key)", value: try unquote(rest, fail: fail), line: n))
      }
    }
    return out
  }

  /// Removes a `#` comment: at the start of a line or after a space, outside quotes (as YAML
  /// does, which is why colours must be quoted: `text: #fff` is an empty value).
  static func stripComment(_ line: String, fail: (String) -> ThemeError) throws -> String {
    var quote: Character?
    var prev: Character = " "
    var out = ""
    for ch in line {
      if let q = quote {
        if ch == q { quote = nil }
      } else if ch == "\"" || ch == "'" {
        quote = ch
      } else if ch == "#" && (prev == " " || prev == "\t") {
        break
      }
      out.append(ch)
      prev = ch
    }
    if quote != nil { throw fail("unterminated quote") }
    return out
  }

  /// The value without its surrounding quotes.
  static func unquote(_ v: String, fail: (String) -> ThemeError) throws -> String {
    guard let first = v.first, first == "\"" || first == "'" else { return v }
    guard v.count >= 2, v.last == first else { throw fail("unterminated quote in \(v)") }
    return String(v.dropFirst().dropLast())
  }

  /// A theme from file text: the fallback theme with the file's entries applied.
  public static func theme(_ text: String, file: String, base: Theme = .fallback) throws -> Theme {
    var theme = base
    theme.name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    let table = Dictionary(uniqueKeysWithValues: Theme.keys.map { ($0.0, $0.1) })
    var seen = Set<String>()
    for e in try entries(text, file: file) {
      let fail = { (m: String) in ThemeError(file: file, line: e.line, message: m) }
      if !seen.insert(e.key).inserted { throw fail("'\(e.key)' is set twice") }
      if e.key == "name" {
        theme.name = e.value
        continue
      }
      if e.key == "description" { continue }
      guard let path = table[e.key] else {
        let sections = Set(Theme.keys.map { String($0.0.split(separator: ".")[0]) }).sorted().joined(separator: ", ")
        let section = e.key.split(separator: ".").first.map(String.init) ?? e.key
        let known = Theme.keys.map(\.0).filter { $0.hasPrefix(section + ".") }.map { String($0.dropFirst(section.count + 1)) }
        if known.isEmpty { throw fail("unknown key '\(e.key)' (sections: \(sections), plus name and description)") }
        throw fail("unknown key '\(e.key)' (\(section) has: \(known.joined(separator: ", ")))")
      }
      guard let color = CellColor(themeValue: e.value) else {
        let shown = e.value.isEmpty ? "nothing (a '#' colour must be quoted)" : "'\(e.value)'"
        throw fail("\(e.key) needs \"#rrggbb\", a palette number 0-255, an ANSI name or default; got \(shown)")
      }
      theme[keyPath: path] = color
    }
    return theme
  }

  /// A theme file as text, every key written (the format of Themes/*.yaml).
  public static func yaml(_ theme: Theme, comment: String) -> String {
    var out = comment.split(separator: "\n").map { "# \($0)" }.joined(separator: "\n") + "\nname: \(theme.name)\n"
    var section = ""
    for (key, path) in Theme.keys {
      let parts = key.split(separator: ".")
      if parts[0] != section {
        section = String(parts[0])
        out += "\(section):\n"
      }
      let v = theme[keyPath: path].themeValue
      out += "  \(parts[1]): \(v.hasPrefix("#") ? "\"\(v)\"" : v)\n"
    }
    return out
  }
}
