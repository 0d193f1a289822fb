import Engine
import Models
import World

// What the attribute judges classify, and how a render is labelled for them.
//
// Heads (in logit order) and their classes:
//   colour           10  Colour.allCases                       (first object)
//   shape             6  ShapeKind.allCases                    (first object)
//   position          9  Position.allCases                     (first object; see below)
//   count             3  one, two, three                       (first object)
//   background       14  none (default grey), the ten plain colours, striped, checkered, gradient
//   style             7  none, then Style.allCases
//   second-colour    11  Colour.allCases, then none (no second object)
//   second-shape      7  ShapeKind.allCases, then none
//   second-position   9  Position.allCases                     (second object; unlabelled if none)
//   second-count      3  one, two, three                       (second object; unlabelled if none)
//
// Canonical order of two objects: a judge sees pixels, not the prompt's word order, so "first"
// must be something visible. The first object is the one whose colour comes first in the
// colour list (red orange yellow green cyan blue purple pink white black); on equal colours,
// the one whose shape comes first (circle square triangle cross ring star); on equal colour
// and shape (which no sampled prompt has), prompt order.
//
// Position: the grid cell of the object's instances when they all lie in one cell (always so
// for one instance or a named position); otherwise the image has no position label for that
// object (−1, no loss). The second object's position and count are beyond WORLD.md's list;
// they make a position or count named for either object of a prompt judgeable.

/// The attributes the judges classify, in head (logit column) order.
public enum JudgedAttribute: String, CaseIterable, Codable, Sendable {
  case colour, shape, position, count, background, style
  case secondColour = "second-colour"
  case secondShape = "second-shape"
  case secondPosition = "second-position"
  case secondCount = "second-count"

  /// The head index (the case's position in `allCases`).
  public var head: Int { JudgedAttribute.allCases.firstIndex(of: self) ?? 0 }

  /// The class names, in class-index order.
  public var classNames: [String] {
    switch self {
    case .colour: return Colour.allCases.map(\.rawValue)
    case .shape: return ShapeKind.allCases.map(\.rawValue)
    case .position, .secondPosition: return Position.allCases.map(\.rawValue)
    case .count, .secondCount: return ObjectSpec.countWords
    case .background: return ["none"] + Background.allCases.map(\.word)
    case .style: return ["none"] + Style.allCases.map(\.rawValue)
    case .secondColour: return Colour.allCases.map(\.rawValue) + ["none"]
    case .secondShape: return ShapeKind.allCases.map(\.rawValue) + ["none"]
    }
  }

  /// Number of classes.
  public var classes: Int { classNames.count }

  /// Whether the attribute describes the second object (in canonical order).
  public var isSecond: Bool { [.secondColour, .secondShape, .secondPosition, .secondCount].contains(self) }
}

/// Class indices of attribute values, shared by labels and prompt scoring.
public enum AttributeClass {
  /// The index of a colour in `Colour.allCases`.
  public static func colour(_ c: Colour) -> Int { Colour.allCases.firstIndex(of: c) ?? 0 }
  /// The index of a shape in `ShapeKind.allCases`.
  public static func shape(_ s: ShapeKind) -> Int { ShapeKind.allCases.firstIndex(of: s) ?? 0 }
  /// The index of a grid cell in `Position.allCases`.
  public static func position(_ p: Position) -> Int { Position.allCases.firstIndex(of: p) ?? 0 }
  /// Count 1...3 as class 0...2.
  public static func count(_ n: Int) -> Int { min(max(n, 1), 3) - 1 }
  /// 0 for the default background, 1 + its index in `Background.allCases` otherwise.
  public static func background(_ b: Background?) -> Int { b.map { 1 + (Background.allCases.firstIndex(of: $0) ?? 0) } ?? 0 }
  /// 0 for no style, 1 + its index in `Style.allCases` otherwise.
  public static func style(_ s: Style?) -> Int { s.map { 1 + (Style.allCases.firstIndex(of: $0) ?? 0) } ?? 0 }
  /// The "no second object" class of second-colour.
  public static let noSecondColour = Colour.allCases.count
  /// The "no second object" class of second-shape.
  public static let noSecondShape = ShapeKind.allCases.count
}

extension AttributeJudgeConfig {
  /// The world's judge: one head per `JudgedAttribute`, on the given trunk.
  public static func world(trunk: ViTConfig, pooling: JudgePooling = .cls) -> AttributeJudgeConfig {
    AttributeJudgeConfig(trunk: trunk, heads: JudgedAttribute.allCases.map { AttributeHeadSpec(name: $0.rawValue, classes: $0.classes) },
                         pooling: pooling)
  }

  /// Whether the heads are exactly the world's, in order (weights from another schema are refused).
  public var matchesWorld: Bool { heads == AttributeJudgeConfig.world(trunk: trunk).heads }
}

/// The judges' canonical order of a prompt's objects (see the top of this file).
public enum CanonicalOrder {
  /// Indices into `objects`, first object first.
  public static func order(_ objects: [ObjectSpec]) -> [Int] {
    objects.indices.sorted { a, b in
      let (x, y) = (objects[a], objects[b])
      let (cx, cy) = (AttributeClass.colour(x.colour), AttributeClass.colour(y.colour))
      if cx != cy { return cx < cy }
      let (sx, sy) = (AttributeClass.shape(x.shape), AttributeClass.shape(y.shape))
      if sx != sy { return sx < sy }
      return a < b
    }
  }
}

/// One image's training targets: a class per attribute, or nil where the image has no label.
public struct JudgeTargets: Equatable, Sendable {
  /// Indexed by `JudgedAttribute.head`.
  public var classes: [Int?]

  /// The target of one attribute.
  public subscript(_ a: JudgedAttribute) -> Int? {
    get { classes[a.head] }
    set { classes[a.head] = newValue }
  }

  /// The targets of a render, read from its labels (regions from where instances were drawn).
  public init(labels: SceneLabels) {
    classes = [Int?](repeating: nil, count: JudgedAttribute.allCases.count)
    let objects = labels.prompt.objects
    let order = CanonicalOrder.order(objects)
    func region(_ spec: Int) -> Int? {
      let cells = Set(labels.instances.filter { $0.spec == spec }.map(\.region))
      guard cells.count == 1, let cell = cells.first else { return nil }
      return AttributeClass.position(cell)
    }
    let first = order[0]
    self[.colour] = AttributeClass.colour(objects[first].colour)
    self[.shape] = AttributeClass.shape(objects[first].shape)
    self[.position] = region(first)
    self[.count] = AttributeClass.count(labels.counts[first])
    self[.background] = AttributeClass.background(labels.background)
    self[.style] = AttributeClass.style(labels.style)
    if order.count > 1 {
      let second = order[1]
      self[.secondColour] = AttributeClass.colour(objects[second].colour)
      self[.secondShape] = AttributeClass.shape(objects[second].shape)
      self[.secondPosition] = region(second)
      self[.secondCount] = AttributeClass.count(labels.counts[second])
    } else {
      self[.secondColour] = AttributeClass.noSecondColour
      self[.secondShape] = AttributeClass.noSecondShape
    }
  }

  /// The targets as the loss wants them: one Int per head, −1 where unlabelled.
  public var flat: [Int] { classes.map { $0 ?? -1 } }
}
