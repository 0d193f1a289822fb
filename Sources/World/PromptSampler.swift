// Training and held-out prompts drawn from the grammar by seed, with a split that is a pure
// function of the prompt (so it holds across seeds, processes and machines):
//
// - Six colour-shape pairs never occur in training prompts: purple star, orange ring, cyan cross,
//   pink triangle, green square, yellow circle (one per shape and six different colours, so
//   every colour and every shape is still seen in training, just not in these combinations).
// - Any other prompt whose canonical text falls in the held-out hash bucket (1 in 16 by a
//   64-bit FNV-1a hash, not Swift's per-process-seeded Hasher) is held out too.
//
// `heldOut(count:)` alternates between the two kinds, so evaluation measures both
// generalisation to unseen combinations and plain held-out prompts.

import Engine

/// Probabilities that shape the sampled prompts.
public struct PromptDistribution: Codable, Hashable, Sendable {
  /// Probability of a second object ("... and ...").
  public var secondObject: Float
  /// Probability, per object, of an explicit position.
  public var position: Float
  /// Probability, per object, of an explicit size.
  public var size: Float
  /// Probability of an explicit background.
  public var background: Float
  /// Among explicit backgrounds, the fraction that are patterns (the rest are plain colours).
  public var pattern: Float
  /// Probability of a style; 0 for the generator's pretraining prompts.
  public var style: Float
  /// Relative weights of the counts one, two, three.
  public var countWeights: [Float]

  /// Creates a distribution; the defaults give mostly single objects, about half positioned,
  /// a third with a background, and no styles.
  public init(
    secondObject: Float = 0.25, position: Float = 0.5, size: Float = 0.5,
    background: Float = 0.33, pattern: Float = 0.3, style: Float = 0,
    countWeights: [Float] = [0.7, 0.2, 0.1]
  ) {
    precondition(countWeights.count == 3, "PromptDistribution: countWeights needs 3 weights")
    self.secondObject = secondObject
    self.position = position
    self.size = size
    self.background = background
    self.pattern = pattern
    self.style = style
    self.countWeights = countWeights
  }
}

/// Stable, process-independent string hashing (Swift's Hasher is seeded per process).
public enum StableHash {
  /// 64-bit FNV-1a of the UTF-8 bytes, followed by a SplitMix64 finaliser so every bit mixes.
  public static func fnv1a64(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01B3
    }
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 31)
  }
}

/// Draws training and held-out prompts, deterministically from a seed.
public struct PromptSampler: Sendable {
  /// The seed every draw derives from.
  public let seed: UInt64
  /// The probabilities used for both sets.
  public var distribution: PromptDistribution

  /// Colour-shape pairs that never appear in training prompts.
  public static let heldOutPairs: [(colour: Colour, shape: ShapeKind)] = [
    (.purple, .star), (.orange, .ring), (.cyan, .cross),
    (.pink, .triangle), (.green, .square), (.yellow, .circle),
  ]
  /// One in `hashBuckets` prompts (by canonical text) is held out.
  public static let hashBuckets: UInt64 = 16

  /// All 60 pairs minus the held-out six, in colour-major order.
  static let trainingPairs: [(colour: Colour, shape: ShapeKind)] = Colour.allCases.flatMap {
    colour in ShapeKind.allCases.map { (colour: colour, shape: $0) }
  }.filter { !isHeldOutPair($0.colour, $0.shape) }

  /// Creates a sampler.
  public init(seed: UInt64, distribution: PromptDistribution = PromptDistribution()) {
    self.seed = seed
    self.distribution = distribution
  }

  /// Whether a colour-shape pair is one of the six never used in training.
  public static func isHeldOutPair(_ colour: Colour, _ shape: ShapeKind) -> Bool {
    heldOutPairs.contains { $0.colour == colour && $0.shape == shape }
  }

  /// Whether the prompt's canonical text falls in the held-out hash bucket.
  public static func inHeldOutBucket(_ prompt: Prompt) -> Bool {
    StableHash.fnv1a64(prompt.text) % hashBuckets == 0
  }

  /// Whether a prompt belongs to the held-out side of the split (an unseen pair or the bucket).
  public static func isHeldOut(_ prompt: Prompt) -> Bool {
    prompt.objects.contains { isHeldOutPair($0.colour, $0.shape) } || inHeldOutBucket(prompt)
  }

  /// Whether a prompt belongs to the held-out side of the split (same as the static method).
  public func isHeldOut(_ prompt: Prompt) -> Bool { PromptSampler.isHeldOut(prompt) }

  /// `count` training prompts (repeats possible); none is held out.
  public func training(count: Int) -> [Prompt] {
    var rng = RNG(seed: seed).stream(1)
    var out: [Prompt] = []
    out.reserveCapacity(count)
    while out.count < count {
      let prompt = sample(&rng, novel: false)
      if !PromptSampler.inHeldOutBucket(prompt) { out.append(prompt) }
    }
    return out
  }

  /// `count` distinct held-out prompts: even indices hold one unseen colour-shape pair, odd
  /// indices are other prompts from the held-out hash bucket.
  ///
  /// If the distribution is so narrow that distinct prompts run out, repeats are allowed
  /// rather than looping forever.
  public func heldOut(count: Int) -> [Prompt] {
    var rng = RNG(seed: seed).stream(2)
    var out: [Prompt] = []
    var seen = Set<String>()
    out.reserveCapacity(count)
    let patience = 2000
    while out.count < count {
      let novel = out.count % 2 == 0
      var candidate: Prompt?
      for attempt in 0..<patience {
        let prompt = sample(&rng, novel: novel)
        guard novel || PromptSampler.inHeldOutBucket(prompt) else { continue }
        if seen.insert(prompt.text).inserted || attempt >= patience / 2 {
          candidate = prompt
          break
        }
      }
      // Only a degenerate distribution gets here; a novel prompt is held out by construction.
      out.append(candidate ?? sample(&rng, novel: true))
    }
    return out
  }

  /// One prompt from the distribution. Training pairs only, except that a `novel` prompt puts
  /// a held-out pair into one randomly chosen object.
  func sample(_ rng: inout RNG, novel: Bool) -> Prompt {
    let d = distribution
    let objectCount = rng.uniform() < d.secondObject ? 2 : 1
    let novelIndex = novel ? rng.int(objectCount) : -1
    var objects: [ObjectSpec] = []
    for k in 0..<objectCount {
      let pairs = k == novelIndex ? PromptSampler.heldOutPairs : PromptSampler.trainingPairs
      var pair = pairs[rng.int(pairs.count)]
      // Two identical colour-shape pairs would make the objects indistinguishable in labels.
      while let first = objects.first, first.colour == pair.colour, first.shape == pair.shape {
        pair = pairs[rng.int(pairs.count)]
      }
      let count = weightedIndex(d.countWeights, &rng) + 1
      let size = rng.uniform() < d.size ? Size.allCases[rng.int(Size.allCases.count)] : nil
      var position: Position?
      if rng.uniform() < d.position {
        let taken = objects.compactMap(\.position)
        let free = Position.allCases.filter { !taken.contains($0) }
        position = free[rng.int(free.count)]
      }
      objects.append(
        ObjectSpec(
          count: count, size: size, colour: pair.colour, shape: pair.shape, position: position))
    }
    var background: Background?
    if rng.uniform() < d.background {
      if rng.uniform() < d.pattern {
        background = [Background.striped, .checkered, .gradient][rng.int(3)]
      } else {
        // A legal prompt may ask for "red circle on red", but sampled ones keep objects visible.
        let used = Set(objects.map(\.colour))
        let free = Colour.allCases.filter { !used.contains($0) }
        background = .plain(free[rng.int(free.count)])
      }
    }
    let style = rng.uniform() < d.style ? Style.allCases[rng.int(Style.allCases.count)] : nil
    return Prompt(objects: objects, background: background, style: style)
  }
}

/// An index drawn with probability proportional to `weights` (non-negative, not all zero;
/// all-zero weights give index 0).
func weightedIndex(_ weights: [Float], _ rng: inout RNG) -> Int {
  let total = weights.reduce(0) { $0 + max($1, 0) }
  guard total > 0 else { return 0 }
  var u = rng.uniform() * total
  for (i, w) in weights.enumerated() {
    u -= max(w, 0)
    if u < 0 { return i }
  }
  return weights.count - 1
}
