import Engine
import Foundation
import Imaging
import Models
import World

/// Where and how much a judge is evaluated after training.
public struct JudgeEvalConfig: Codable, Sendable, Equatable {
  /// Seed of the held-out prompts and their renders (the same for judge-a and judge-b, so
  /// their tables compare).
  public var seed: UInt64 = 7
  /// Held-out prompts (half hold a colour–shape pair never seen in training).
  public var count = 1000
  /// Images judged per forward pass.
  public var batchSize = 100

  public init() {}
}

/// A judge's accuracy on one image set: per attribute (images where it is labelled) and on
/// whole prompts.
public struct JudgeAccuracy: Codable, Sendable, Equatable {
  /// Fraction correct per attribute (`JudgedAttribute` raw values).
  public var perAttribute: [String: Double]
  /// Images with a label for each attribute.
  public var labelled: [String: Int]
  /// Fraction of images whose prompt the judge calls aligned (every specified attribute right).
  public var aligned: Double
  /// Mean alignment probability of the true renders.
  public var meanAlignment: Double
  /// Shape accuracy of the first object by its count ("one", "two", "three"): several
  /// instances are drawn smaller (down to ~2 px radius at 32 px), which is where shape fails.
  public var shapeByCount: [String: Double]
  public var images: Int
}

/// A judge's held-out evaluation: clean renders (the goal) and the same prompts styled.
public struct JudgeEvaluation: Codable, Sendable, Equatable {
  /// Held-out prompts, plain renders (no style, no degradation).
  public var clean: JudgeAccuracy
  /// The same prompts, each with one of the six styles (in turn) at a random strength.
  public var styled: JudgeAccuracy
  /// The lowest clean per-attribute accuracy.
  public var worstClean: Double { clean.perAttribute.values.min() ?? 0 }

  /// Renders the held-out set and scores `judge` on it.
  public static func run(_ judge: AttributeJudge, eval: JudgeEvalConfig, prompts distribution: PromptDistribution,
                         styleStrength: [Float]) -> JudgeEvaluation {
    let prompts = JudgeEvaluation.prompts(eval: eval, distribution: distribution)
    let S = judge.config.trunk.imageSize
    let root = RNG(seed: eval.seed).stream(99)
    var clean: [Scene] = [], styled: [Scene] = []
    for (i, p) in prompts.enumerated() {
      var r = root.stream(UInt64(i))
      let seed = r.nextBlock().hashSeed
      clean.append(Renderer.render(p, size: S, seed: seed))
      var q = p
      q.style = Style.allCases[i % Style.allCases.count]
      let lo = styleStrength.first ?? 1, hi = styleStrength.last ?? 1
      styled.append(Renderer.render(q, size: S, seed: seed, styleStrength: r.uniform(lo, hi)))
    }
    let graph = Graph()
    return JudgeEvaluation(clean: score(judge, clean, batch: eval.batchSize, graph: graph),
                           styled: score(judge, styled, batch: eval.batchSize, graph: graph))
  }

  /// The held-out evaluation prompts: `eval.count` from the world's held-out split (even
  /// indices hold a colour–shape pair the generator never trains on), without styles.
  public static func prompts(eval: JudgeEvalConfig, distribution: PromptDistribution) -> [Prompt] {
    var plain = distribution
    plain.style = 0
    return PromptSampler(seed: eval.seed, distribution: plain).heldOut(count: eval.count)
  }

  /// Accuracy of `judge` on rendered scenes against their own labels and prompts. Under a
  /// colourless style (sketch) colour labels are not scored, as in `Alignment`.
  public static func score(_ judge: AttributeJudge, _ scenes: [Scene], batch: Int, graph: Graph) -> JudgeAccuracy {
    let judged = judge.predict(images: judge.planar(scenes.map(\.image)), batchSize: batch, graph: graph)
    var correct: [JudgedAttribute: Int] = [:], total: [JudgedAttribute: Int] = [:]
    var aligned = 0
    var alignment = 0.0
    var shapeRight = [Int](repeating: 0, count: 3), shapeTotal = [Int](repeating: 0, count: 3)
    for (scene, j) in zip(scenes, judged) {
      let targets = JudgeTargets(labels: scene.labels)
      if let n = targets[.count], let t = targets[.shape] {
        shapeTotal[n] += 1
        if j.argmax(JudgedAttribute.shape.head) == t { shapeRight[n] += 1 }
      }
      let colourless = scene.labels.style.map { Alignment.colourlessStyles.contains($0) } ?? false
      for a in JudgedAttribute.allCases {
        guard let t = targets[a] else { continue }
        if colourless {
          if a == .colour || (a == .secondColour && t != AttributeClass.noSecondColour) { continue }
          if a == .background, case .plain = scene.labels.background { continue }
        }
        total[a, default: 0] += 1
        if j.argmax(a.head) == t { correct[a, default: 0] += 1 }
      }
      let prompt = scene.labels.prompt
      if Alignment.isAligned(prompt: prompt, prediction: j) { aligned += 1 }
      alignment += Double(Alignment.probability(prompt: prompt, prediction: j))
    }
    var per: [String: Double] = [:], labelled: [String: Int] = [:]
    for a in JudgedAttribute.allCases {
      let n = total[a] ?? 0
      labelled[a.rawValue] = n
      if n > 0 { per[a.rawValue] = Double(correct[a] ?? 0) / Double(n) }
    }
    var byCount: [String: Double] = [:]
    for k in 0..<3 where shapeTotal[k] > 0 { byCount[ObjectSpec.countWords[k]] = Double(shapeRight[k]) / Double(shapeTotal[k]) }
    let n = max(scenes.count, 1)
    return JudgeAccuracy(perAttribute: per, labelled: labelled, aligned: Double(aligned) / Double(n),
                         meanAlignment: alignment / Double(n), shapeByCount: byCount, images: scenes.count)
  }

  /// The per-attribute table, clean and styled side by side.
  public func table(title: String) -> String {
    var lines = ["\(title): held-out accuracy on \(clean.images) prompts (half with unseen colour–shape pairs)",
                 "attribute          clean   (n)     styled  (n)"]
    func pct(_ v: Double?) -> String { v.map { String(format: "%5.1f%%", 100 * $0) } ?? "    - " }
    for a in JudgedAttribute.allCases {
      let k = a.rawValue
      lines.append(k.padding(toLength: 17, withPad: " ", startingAt: 0)
        + "  \(pct(clean.perAttribute[k])) \(String(format: "%5d", clean.labelled[k] ?? 0))"
        + "   \(pct(styled.perAttribute[k])) \(String(format: "%5d", styled.labelled[k] ?? 0))")
    }
    lines.append("prompt aligned     \(pct(clean.aligned))         \(pct(styled.aligned))")
    lines.append(String(format: "mean alignment      %.3f           %.3f", clean.meanAlignment, styled.meanAlignment))
    let counts = ObjectSpec.countWords.map { w in "\(w) \(pct(clean.shapeByCount[w]).trimmingCharacters(in: .whitespaces))" }
    lines.append("clean shape by count: " + counts.joined(separator: ", "))
    return lines.joined(separator: "\n")
  }
}
