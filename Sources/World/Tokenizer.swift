// Semantic tokens for the generator's 12 prompt slots.
//
// Each grammar slot becomes one token, so the longest prompt (two objects with count, size,
// colour, shape and position each, plus background and style) is exactly 5 + 5 + 1 + 1 = 12
// tokens. There are no boundary tokens: every object starts with its count token ("one" is
// inserted when the prompt leaves the count out), which marks where an object begins.
//
// The vocabulary order is a contract (documented in docs/, baked into trained embeddings); it
// follows the enums' case order and must never be reordered, only appended to:
//   id  0        <pad>
//   ids 1...3    one two three
//   ids 4...5    small large
//   ids 6...15   red orange yellow green cyan blue purple pink white black
//   ids 16...21  circle square triangle cross ring star
//   ids 22...30  at:center at:top at:left at:right at:bottom at:top-left at:top-right
//                at:bottom-left at:bottom-right
//   ids 31...43  on:red ... on:black (colour order above), on:striped on:checkered on:gradient
//   ids 44...49  style:watercolor style:pixel-art style:pop-art style:sketch style:neon
//                style:mosaic

/// Maps prompts to fixed-length sequences of semantic token ids and back.
public enum Tokenizer {
  /// Prompt slots in the generator; every encoded prompt is padded to this length.
  public static let maxTokens = 12
  /// The id of `<pad>`, which fills unused slots.
  public static let padID = 0

  /// Token strings by id (see the table at the top of this file).
  public static let vocabulary: [String] =
    ["<pad>"] + ObjectSpec.countWords + Size.allCases.map(\.rawValue)
    + Colour.allCases.map(\.rawValue) + ShapeKind.allCases.map(\.rawValue)
    + Position.allCases.map { "at:" + $0.rawValue } + Background.allCases.map { "on:" + $0.word }
    + Style.allCases.map { "style:" + $0.rawValue }

  /// The number of distinct token ids (50).
  public static var vocabularySize: Int { vocabulary.count }

  /// Token id by string, the inverse of `vocabulary`.
  static let ids: [String: Int] = Dictionary(
    uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset) })

  /// The id of a token string such as "at:top-left", or nil if it is not in the vocabulary.
  public static func id(of token: String) -> Int? { ids[token] }

  /// The unpadded token strings of a prompt, in slot order.
  public static func tokens(_ prompt: Prompt) -> [String] {
    var out: [String] = []
    for object in prompt.objects {
      out.append(ObjectSpec.countWords[object.count - 1])
      if let size = object.size { out.append(size.rawValue) }
      out.append(object.colour.rawValue)
      out.append(object.shape.rawValue)
      if let position = object.position { out.append("at:" + position.rawValue) }
    }
    if let background = prompt.background { out.append("on:" + background.word) }
    if let style = prompt.style { out.append("style:" + style.rawValue) }
    return out
  }

  /// Token ids of a prompt, padded with `padID` to `maxTokens`: shape (12,).
  public static func encode(_ prompt: Prompt) -> [Int] {
    var out = tokens(prompt).map { ids[$0] ?? padID }
    // The grammar caps a prompt at 12 slots, so this never truncates a valid prompt.
    if out.count > maxTokens { out.removeLast(out.count - maxTokens) }
    out += [Int](repeating: padID, count: maxTokens - out.count)
    return out
  }

  /// Parses `text` and encodes it; throws the parser's WorldError.
  public static func encode(text: String) throws -> [Int] {
    encode(try Prompt.parse(text))
  }

  /// 1 for real tokens and 0 for padding, shape (12,), for attention masks.
  public static func mask(_ ids: [Int]) -> [Float] {
    ids.map { $0 == padID ? 0 : 1 }
  }

  /// The mask of a prompt's encoding.
  public static func mask(_ prompt: Prompt) -> [Float] {
    mask(encode(prompt))
  }

  /// A prompt as the models read it, encoded once: token ids as floats (the embedding op's
  /// input) and the attention mask, both (12,).
  public static func modelInputs(_ prompt: Prompt) -> (ids: [Float], mask: [Float]) {
    let ids = encode(prompt)
    return (ids.map(Float.init), mask(ids))
  }

  /// The token strings joined by spaces, padding dropped, for debugging, e.g.
  /// "one red circle at:top on:blue"; out-of-range ids show as "<id 99>".
  public static func decode(_ ids: [Int]) -> String {
    ids.filter { $0 != padID }
      .map { vocabulary.indices.contains($0) ? vocabulary[$0] : "<id \($0)>" }
      .joined(separator: " ")
  }

  /// Rebuilds the prompt from token ids (the inverse of `encode`); throws on an invalid stream.
  public static func prompt(from ids: [Int]) throws -> Prompt {
    var objects: [ObjectSpec] = []
    var background: Background?
    var style: Style?
    // The object under construction: its count, then optional size, colour, shape, position.
    var count: Int?
    var size: Size?
    var colour: Colour?
    var shape: ShapeKind?
    var position: Position?

    func fail(_ why: String) -> WorldError {
      WorldError("invalid token sequence [\(decode(ids))]: \(why)")
    }
    func finish() throws {
      guard let c = count else { return }
      guard let col = colour, let sh = shape else {
        throw fail("an object lacks a colour or shape")
      }
      objects.append(ObjectSpec(count: c, size: size, colour: col, shape: sh, position: position))
      (count, size, position) = (nil, nil, nil)
      (colour, shape) = (nil, nil)
    }

    for id in ids where id != padID {
      guard vocabulary.indices.contains(id) else { throw fail("id \(id) is out of range") }
      let token = vocabulary[id]
      if background != nil || style != nil, !token.hasPrefix("style:") {
        throw fail("'\(token)' after the background or style")
      }
      if let k = ObjectSpec.countWords.firstIndex(of: token) {
        try finish()
        count = k + 1
      } else if token.hasPrefix("on:") {
        try finish()
        background = Background(word: String(token.dropFirst(3)))
      } else if token.hasPrefix("style:") {
        try finish()
        if style != nil { throw fail("two style tokens") }
        style = Style(rawValue: String(token.dropFirst(6)))
      } else {
        guard count != nil else { throw fail("'\(token)' before any count token") }
        if let s = Size(rawValue: token), size == nil, colour == nil {
          size = s
        } else if let c = Colour(rawValue: token), colour == nil {
          colour = c
        } else if let s = ShapeKind(rawValue: token), colour != nil, shape == nil {
          shape = s
        } else if token.hasPrefix("at:"), shape != nil, position == nil {
          position = Position(rawValue: String(token.dropFirst(3)))
        } else {
          throw fail("'\(token)' out of place")
        }
      }
    }
    try finish()
    guard (1...Prompt.maxObjects).contains(objects.count) else {
      throw fail("\(objects.count) objects, expected 1...\(Prompt.maxObjects)")
    }
    return Prompt(objects: objects, background: background, style: style)
  }
}
