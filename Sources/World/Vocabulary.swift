// The closed vocabulary of the prompt grammar (WORLD.md, "Images and prompts"). Every word a
// prompt may contain is a case of one of these enums, so the parser, the tokenizer, the sampler
// and the renderer agree by construction. Case order is part of the tokenizer's contract (it
// fixes token ids), so new cases go at the end of their enum.

/// One of the ten colour words; `Palette.swift` gives each its canonical RGB.
public enum Colour: String, CaseIterable, Codable, Hashable, Sendable {
  case red, orange, yellow, green, cyan, blue, purple, pink, white, black
}

/// One of the six shape words.
public enum ShapeKind: String, CaseIterable, Codable, Hashable, Sendable {
  case circle, square, triangle, cross, ring, star

  /// The plural form used after "two" and "three", e.g. "crosses".
  public var plural: String { self == .cross ? "crosses" : rawValue + "s" }

  /// The shape named by a singular or plural word, and whether the word was plural.
  public static func named(_ word: String) -> (shape: ShapeKind, plural: Bool)? {
    if let shape = ShapeKind(rawValue: word) { return (shape, false) }
    if let shape = allCases.first(where: { $0.plural == word }) { return (shape, true) }
    return nil
  }
}

/// One of the nine cells of the 3 x 3 grid over the image (x right, y down).
public enum Position: String, CaseIterable, Codable, Hashable, Sendable {
  case center, top, left, right, bottom
  case topLeft = "top-left"
  case topRight = "top-right"
  case bottomLeft = "bottom-left"
  case bottomRight = "bottom-right"

  /// Grid column (0 left, 1 middle, 2 right) and row (0 top, 1 middle, 2 bottom).
  public var cell: (column: Int, row: Int) {
    switch self {
    case .center: return (1, 1)
    case .top: return (1, 0)
    case .left: return (0, 1)
    case .right: return (2, 1)
    case .bottom: return (1, 2)
    case .topLeft: return (0, 0)
    case .topRight: return (2, 0)
    case .bottomLeft: return (0, 2)
    case .bottomRight: return (2, 2)
    }
  }

  /// The position of grid cell (column, row); both are clamped to 0...2.
  public init(column: Int, row: Int) {
    let c = min(max(column, 0), 2)
    let r = min(max(row, 0), 2)
    let table: [[Position]] = [
      [.topLeft, .top, .topRight], [.left, .center, .right], [.bottomLeft, .bottom, .bottomRight],
    ]
    self = table[r][c]
  }

  /// The cell containing `point` (pixels, x right, y down) in a `size` x `size` image.
  public static func region(of point: SIMD2<Float>, size: Int) -> Position {
    let third = Float(size) / 3
    // Int() truncates toward zero, so points just outside the image still land in an edge cell.
    return Position(column: Int(point.x / third), row: Int(point.y / third))
  }

  /// The cell's rectangle in pixels: x in [lo.x, hi.x), y in [lo.y, hi.y).
  public func bounds(size: Int) -> (lo: SIMD2<Float>, hi: SIMD2<Float>) {
    let third = Float(size) / 3
    let (c, r) = cell
    let lo = SIMD2(Float(c) * third, Float(r) * third)
    return (lo, lo + SIMD2(third, third))
  }
}

/// The two size words; an object without one gets a random size between them.
public enum Size: String, CaseIterable, Codable, Hashable, Sendable {
  case small, large
}

/// A background word: a plain colour, or one of three patterns.
public enum Background: Hashable, Sendable, CaseIterable, Codable, CustomStringConvertible {
  /// A uniform fill in the colour's canonical RGB (slightly jittered per seed).
  case plain(Colour)
  /// Two-tone stripes at a random angle.
  case striped
  /// A two-tone checkerboard.
  case checkered
  /// A linear two-tone gradient in a random direction.
  case gradient

  /// Every background in tokenizer order: the ten colours, then striped, checkered, gradient.
  public static let allCases: [Background] =
    Colour.allCases.map { .plain($0) } + [.striped, .checkered, .gradient]

  /// The word after "on" in a prompt, e.g. "blue" or "striped".
  public var word: String {
    switch self {
    case .plain(let colour): return colour.rawValue
    case .striped: return "striped"
    case .checkered: return "checkered"
    case .gradient: return "gradient"
    }
  }

  /// The word, as `word`.
  public var description: String { word }

  /// The background a word names, or nil for a word that names none.
  public init?(word: String) {
    switch word {
    case "striped": self = .striped
    case "checkered": self = .checkered
    case "gradient": self = .gradient
    default:
      guard let colour = Colour(rawValue: word) else { return nil }
      self = .plain(colour)
    }
  }

  /// Decodes from the single word, e.g. `"striped"`.
  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    let word = try container.decode(String.self)
    guard let value = Background(word: word) else {
      throw DecodingError.dataCorruptedError(
        in: container,
        debugDescription: "unknown background '\(word)': expected one of "
          + Background.allCases.map(\.word).joined(separator: ", "))
    }
    self = value
  }

  /// Encodes as the single word, e.g. `"striped"`.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(word)
  }
}

/// One of the six global styles; `Styles.swift` implements each as an image transform.
public enum Style: String, CaseIterable, Codable, Hashable, Sendable {
  case watercolor
  case pixelArt = "pixel-art"
  case popArt = "pop-art"
  case sketch, neon, mosaic
}
