// A strict JSON reader for safetensors headers: Foundation's JSONSerialization on Linux
// cannot tell `true` from 1 and drops key order, and a header must be read exactly.

/// A parsed JSON value; objects keep their key order, which is the header's tensor order.
enum STJSON {
  case object([(key: String, value: STJSON)])
  case array([STJSON])
  case string(String)
  case number(String)  // The literal text, so integers are checked exactly rather than via Double.
  case bool(Bool)
  case null

  /// The elements as Ints, if this is an array of integer literals that fit in Int.
  var integers: [Int]? {
    guard case .array(let items) = self else { return nil }
    var result: [Int] = []
    for item in items {
      guard case .number(let text) = item, let value = Int(text) else { return nil }
      result.append(value)
    }
    return result
  }
}

struct STJSONError: Error { let message: String }

/// A strict RFC 8259 parser: Foundation's loses key order and cannot tell `true` from `1` on Linux.
struct STJSONParser {
  let bytes: UnsafeRawBufferPointer
  var position = 0
  var depth = 0

  init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  mutating func parseDocument() throws -> STJSON {
    let value = try parseValue()
    skipSpace()
    guard position == bytes.count else { throw error("unexpected text after the top-level value") }
    return value
  }

  func error(_ message: String) -> STJSONError { STJSONError(message: "\(message) at byte \(position) of the header") }
  var next: UInt8? { position < bytes.count ? bytes[position] : nil }

  mutating func skipSpace() {
    while let c = next, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
  }

  mutating func expect(_ c: Unicode.Scalar) throws {
    guard next == UInt8(ascii: c) else { throw error("expected '\(c)'") }
    position += 1
  }

  mutating func parseValue() throws -> STJSON {
    skipSpace()
    guard let c = next else { throw error("unexpected end") }
    switch c {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      // Bounded nesting: a hostile header must not be able to overflow the stack.
      guard depth < 64 else { throw error("nesting deeper than 64") }
      depth += 1
      defer { depth -= 1 }
      return c == UInt8(ascii: "{") ? try parseObject() : try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected character '\(Unicode.Scalar(c))'")
    }
  }

  mutating func literal(_ word: String) throws {
    for c in word.utf8 {
      guard next == c else { throw error("invalid literal") }
      position += 1
    }
  }

  mutating func parseObject() throws -> STJSON {
    position += 1
    var pairs: [(key: String, value: STJSON)] = []
    var keys = Set<String>()
    skipSpace()
    if next == UInt8(ascii: "}") { position += 1; return .object(pairs) }
    while true {
      skipSpace()
      guard next == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let key = try parseString()
      guard keys.insert(key).inserted else { throw error("duplicate key '\(key)'") }
      skipSpace()
      try expect(":")
      pairs.append((key, try parseValue()))
      skipSpace()
      if next == UInt8(ascii: ",") { position += 1; continue }
      try expect("}")
      return .object(pairs)
    }
  }

  mutating func parseArray() throws -> STJSON {
    position += 1
    var items: [STJSON] = []
    skipSpace()
    if next == UInt8(ascii: "]") { position += 1; return .array(items) }
    while true {
      items.append(try parseValue())
      skipSpace()
      if next == UInt8(ascii: ",") { position += 1; continue }
      try expect("]")
      return .array(items)
    }
  }

  mutating func parseString() throws -> String {
    position += 1
    var utf8: [UInt8] = []
    while true {
      guard let c = next else { throw error("unterminated string") }
      position += 1
      if c == UInt8(ascii: "\"") { break }
      guard c >= 0x20 else { throw error("control character in string") }
      guard c == UInt8(ascii: "\\") else { utf8.append(c); continue }
      guard let e = next else { throw error("unterminated string") }
      position += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
      case UInt8(ascii: "b"): utf8.append(0x08)
      case UInt8(ascii: "f"): utf8.append(0x0C)
      case UInt8(ascii: "n"): utf8.append(0x0A)
      case UInt8(ascii: "r"): utf8.append(0x0D)
      case UInt8(ascii: "t"): utf8.append(0x09)
      case UInt8(ascii: "u"):
        var code = try parseHex4()
        if (0xD800..<0xDC00).contains(code) {
          try expect("\\")
          try expect("u")
          let low = try parseHex4()
          guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate") }
        UTF8.encode(scalar) { utf8.append($0) }
      default: throw error("invalid escape")
      }
    }
    guard let text = String(bytes: utf8, encoding: .utf8) else { throw error("invalid UTF-8 in string") }
    return text
  }

  mutating func parseHex4() throws -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let c = next, let digit = UInt32(String(Unicode.Scalar(c)), radix: 16) else {
        throw error("invalid \\u escape")
      }
      code = code << 4 | digit
      position += 1
    }
    return code
  }

  mutating func parseNumber() throws -> STJSON {
    let start = position
    func isDigit(_ c: UInt8?) -> Bool { c.map { (0x30...0x39).contains($0) } ?? false }
    if next == UInt8(ascii: "-") { position += 1 }
    guard isDigit(next) else { throw error("invalid number") }
    if next == UInt8(ascii: "0") { position += 1 } else { while isDigit(next) { position += 1 } }
    if next == UInt8(ascii: ".") {
      position += 1
      guard isDigit(next) else { throw error("invalid number") }
      while isDigit(next) { position += 1 }
    }
    if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
      position += 1
      if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { position += 1 }
      guard isDigit(next) else { throw error("invalid number") }
      while isDigit(next) { position += 1 }
    }
    return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
  }
}
