// Prompts as values, their canonical English text, and the parser from text.
//
// Grammar (WORLD.md):
//   prompt := object ["and" object] ["on" background] ["in" style "style"]
//   object := [count] [size] colour shape ["at" position]
// Counts are one, two, three; after two or three the shape may be plural ("two red circles").
// Words are matched case-insensitively and separated by white space. The canonical text omits
// "one" and pluralises after two/three, so parse(text) == prompt for every valid prompt.

/// An error from World with one clear line, e.g. an unknown prompt word or an unusable folder.
public struct WorldError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The whole message.
  public let description: String

  /// Creates an error from a complete one-line message.
  public init(_ description: String) {
    self.description = description
  }
}

/// One object phrase of a prompt: `[count] [size] colour shape [at position]`.
public struct ObjectSpec: Codable, Hashable, Sendable {
  /// How many instances to draw, 1...3 (assignments outside the range are clamped).
  public var count: Int {
    didSet { count = min(max(count, 1), 3) }
  }
  /// The size word, or nil for a random size between small and large.
  public var size: Size?
  /// The colour word.
  public var colour: Colour
  /// The shape word.
  public var shape: ShapeKind
  /// The grid cell every instance's centre lies in, or nil for random cells.
  public var position: Position?

  /// The words for counts 1, 2, 3.
  public static let countWords = ["one", "two", "three"]

  /// Creates a spec; `count` must be 1...3.
  public init(
    count: Int = 1, size: Size? = nil, colour: Colour, shape: ShapeKind, position: Position? = nil
  ) {
    precondition((1...3).contains(count), "ObjectSpec: count \(count) outside 1...3")
    self.count = count
    self.size = size
    self.colour = colour
    self.shape = shape
    self.position = position
  }

  /// Decodes the fields, rejecting a count outside 1...3.
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let count = try container.decode(Int.self, forKey: .count)
    guard (1...3).contains(count) else {
      throw DecodingError.dataCorruptedError(
        forKey: .count, in: container, debugDescription: "count \(count) outside 1...3")
    }
    self.init(
      count: count, size: try container.decodeIfPresent(Size.self, forKey: .size),
      colour: try container.decode(Colour.self, forKey: .colour),
      shape: try container.decode(ShapeKind.self, forKey: .shape),
      position: try container.decodeIfPresent(Position.self, forKey: .position))
  }

  /// Canonical text, e.g. "two small red circles at top-left" ("one" is omitted).
  public var text: String {
    var words: [String] = []
    if count > 1 { words.append(ObjectSpec.countWords[count - 1]) }
    if let size { words.append(size.rawValue) }
    words.append(colour.rawValue)
    words.append(count > 1 ? shape.plural : shape.rawValue)
    if let position { words += ["at", position.rawValue] }
    return words.joined(separator: " ")
  }
}

/// A parsed prompt: one or two objects, an optional background and an optional style.
///
/// Encodes (Codable) as its canonical text, so JSON stays readable and decoding validates.
public struct Prompt: Codable, Hashable, Sendable, CustomStringConvertible {
  /// The objects, 1 or 2, in prompt order.
  public var objects: [ObjectSpec]
  /// The background word, or nil for the renderer's default (see Renderer).
  public var background: Background?
  /// The style word, or nil for a plain render.
  public var style: Style?

  /// The most objects a prompt may name.
  public static let maxObjects = 2

  /// Creates a prompt; `objects` must hold 1 or 2 specs.
  public init(objects: [ObjectSpec], background: Background? = nil, style: Style? = nil) {
    precondition(
      (1...Prompt.maxObjects).contains(objects.count),
      "Prompt: \(objects.count) objects, expected 1...\(Prompt.maxObjects)")
    self.objects = objects
    self.background = background
    self.style = style
  }

  /// Canonical English, e.g. "red circle at top and two blue stars on striped in neon style".
  public var text: String {
    var out = objects.map(\.text).joined(separator: " and ")
    if let background { out += " on " + background.word }
    if let style { out += " in " + style.rawValue + " style" }
    return out
  }

  /// The canonical text.
  public var description: String { text }

  /// Parses prompt text; throws a WorldError naming the offending word and the allowed words.
  public static func parse(_ text: String) throws -> Prompt {
    var parser = PromptParser(text)
    return try parser.parse()
  }

  /// Decodes from the canonical (or any parseable) text.
  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
      self = try Prompt.parse(text)
    } catch let error as WorldError {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
    }
  }

  /// Encodes as the canonical text.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(text)
  }
}

/// A recursive-descent parser over the white-space separated, lower-cased words of a prompt.
struct PromptParser {
  /// The text as given, quoted in error messages.
  let source: String
  /// The lower-cased words.
  let words: [String]
  /// Index of the next unread word.
  var index = 0

  /// Prepares to parse `text`.
  init(_ text: String) {
    source = text
    words = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
  }

  /// What may come next at some point of the grammar: a phrase and the words it allows.
  struct Expectation {
    let phrase: String
    let words: [String]

    /// "a colour (red, orange, ...)".
    var text: String { words.isEmpty ? phrase : "\(phrase) (\(words.joined(separator: ", ")))" }
  }

  static let counts = ObjectSpec.countWords
  static let sizes = Size.allCases.map(\.rawValue)
  static let colours = Colour.allCases.map(\.rawValue)
  static let objectStart = Expectation(
    phrase: "a count, size or colour", words: counts + sizes + colours)
  static let sizeOrColour = Expectation(phrase: "a size or colour", words: sizes + colours)
  static let colour = Expectation(phrase: "a colour", words: colours)
  static let shape = Expectation(phrase: "a shape", words: ShapeKind.allCases.map(\.rawValue))
  static let pluralShape = Expectation(
    phrase: "a shape", words: ShapeKind.allCases.map(\.plural))
  static let position = Expectation(phrase: "a position", words: Position.allCases.map(\.rawValue))
  static let background = Expectation(
    phrase: "a background", words: Background.allCases.map(\.word))
  static let style = Expectation(phrase: "a style", words: Style.allCases.map(\.rawValue))
  static let styleWord = Expectation(phrase: "the word 'style'", words: [])

  /// Every word the grammar knows, to tell "unknown" words from misplaced ones.
  static let known: Set<String> = Set(
    counts + sizes + colours + ShapeKind.allCases.flatMap { [$0.rawValue, $0.plural] }
      + Position.allCases.map(\.rawValue) + Background.allCases.map(\.word)
      + Style.allCases.map(\.rawValue) + ["at", "and", "on", "in", "style"])

  /// The next word, if any.
  var peek: String? { index < words.count ? words[index] : nil }

  /// Parses the whole prompt.
  mutating func parse() throws -> Prompt {
    if words.isEmpty {
      throw WorldError("empty prompt: expected \(PromptParser.objectStart.text)")
    }
    var objects = [try parseObject()]
    if peek == "and" {
      index += 1
      objects.append(try parseObject())
    }
    var background: Background?
    if peek == "on" {
      index += 1
      let word = try take(PromptParser.background)
      guard let value = Background(word: word) else { throw wrong(word, PromptParser.background) }
      background = value
    }
    var style: Style?
    if peek == "in" {
      index += 1
      let word = try take(PromptParser.style)
      guard let value = Style(rawValue: word) else { throw wrong(word, PromptParser.style) }
      style = value
      let styleWord = try take(PromptParser.styleWord)
      guard styleWord == "style" else { throw wrong(styleWord, PromptParser.styleWord) }
    }
    if let word = peek {
      let positioned = objects.last?.position != nil
      var note = ""
      if word == "and" && objects.count == Prompt.maxObjects && background == nil && style == nil {
        note = " (at most \(Prompt.maxObjects) objects)"
      }
      let previous = index > 0 ? words[index - 1] : ""
      if ["top", "bottom"].contains(previous) && ["left", "right"].contains(word) {
        note = " (positions are hyphenated: '\(previous)-\(word)')"
      }
      throw wrong(
        word,
        followers(
          objects: objects.count, positioned: positioned, background: background, style: style),
        note: note)
    }
    return Prompt(objects: objects, background: background, style: style)
  }

  /// Parses `[count] [size] colour shape [at position]`.
  mutating func parseObject() throws -> ObjectSpec {
    var word = try take(PromptParser.objectStart)
    var count = 1
    var expectation = PromptParser.objectStart
    if let k = PromptParser.counts.firstIndex(of: word) {
      count = k + 1
      expectation = PromptParser.sizeOrColour
      word = try take(expectation)
    }
    var size: Size?
    if let s = Size(rawValue: word) {
      size = s
      expectation = PromptParser.colour
      word = try take(expectation)
    }
    guard let colour = Colour(rawValue: word) else { throw wrong(word, expectation) }
    let shapeExpectation = count > 1 ? PromptParser.pluralShape : PromptParser.shape
    let shapeWord = try take(shapeExpectation)
    guard let (shape, plural) = ShapeKind.named(shapeWord) else {
      throw wrong(shapeWord, shapeExpectation)
    }
    if plural && count == 1 {
      throw WorldError(
        "plural '\(shapeWord)' in \"\(source)\" needs the count two or three before it: "
          + "expected \(PromptParser.shape.text)")
    }
    var position: Position?
    if peek == "at" {
      index += 1
      let positionWord = try take(PromptParser.position)
      guard let p = Position(rawValue: positionWord) else {
        throw wrong(positionWord, PromptParser.position)
      }
      position = p
    }
    return ObjectSpec(count: count, size: size, colour: colour, shape: shape, position: position)
  }

  /// Consumes and returns the next word, or throws "ends too early" naming `expectation`.
  mutating func take(_ expectation: Expectation) throws -> String {
    guard let word = peek else {
      throw WorldError("prompt \"\(source)\" ends too early: expected \(expectation.text)")
    }
    index += 1
    return word
  }

  /// The error for `word` where `expectation` was due: "unknown word" for words outside the
  /// vocabulary, "unexpected word" for known words in the wrong place.
  func wrong(_ word: String, _ expectation: Expectation, note: String = "") -> WorldError {
    let kind = PromptParser.known.contains(word) ? "unexpected" : "unknown"
    return WorldError(
      "\(kind) word '\(word)' in \"\(source)\"\(note): expected \(expectation.text)")
  }

  /// The words allowed after a complete object, background or style.
  func followers(
    objects: Int, positioned: Bool, background: Background?, style: Style?
  ) -> Expectation {
    var allowed: [String] = []
    if style == nil {
      if background == nil {
        if !positioned { allowed.append("at") }
        if objects < Prompt.maxObjects { allowed.append("and") }
        allowed.append("on")
      }
      allowed.append("in")
    }
    if allowed.isEmpty { return Expectation(phrase: "the end of the prompt", words: []) }
    return Expectation(phrase: "the end of the prompt or one of", words: allowed)
  }
}
