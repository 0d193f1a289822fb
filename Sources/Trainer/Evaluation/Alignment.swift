import Engine
import Foundation
import Imaging
import Models
import World

// Prompt alignment from an attribute judge (ALGORITHMS.md §2/§4 and §6): the probability that an
// image shows its prompt is the geometric mean, over the attributes the prompt specifies, of
// the judge's probability of the prompt's value. Judge-a's alignment is the plain Flow-GRPO
// reward; judge-b's (never a reward) is the evaluation the reward cannot fool.
//
// What a prompt specifies:
//   - per object: colour, shape and count (no count word means one, as the renderer draws),
//     and its position where one is named;
//   - with one object, that there is no second one (second-shape = none); with two, the
//     second object's colour, shape, count and named position;
//   - the background and the style where named.
// Sketch draws grey strokes on paper, so under a sketch prompt no colour is judged (object
// colours and a plain background's colour); a patterned background still is.
//
// Two objects: the judge reports them in canonical order (JudgeLabels.swift), which a
// generated image may not make unambiguous (equal colours, or a style that hides colour). So
// both ways of matching the prompt's objects to the judge's first and second slots are scored
// and the better one counts. Each slot binds colour, shape, count and position to one object,
// so a swapped image ("blue circle and red star" for "red circle and blue star") still fails.

/// One thing a prompt asks of the judge: an attribute and the class it must have.
public struct AttributeRequirement: Equatable, Sendable {
  /// The attribute (head).
  public var attribute: JudgedAttribute
  /// The class index the prompt asks for.
  public var value: Int

  public init(_ attribute: JudgedAttribute, _ value: Int) {
    self.attribute = attribute
    self.value = value
  }
}

/// Scores judge predictions against prompts.
public enum Alignment {
  /// Styles under which colour cannot be seen in the pixels.
  public static let colourlessStyles: Set<Style> = [.sketch]

  /// Probabilities are floored here before the logarithm (a softmax can underflow to 0), so
  /// the logarithm stays finite; an impossible attribute still drives the mean to about 0.
  public static let floor: Double = 1e-30

  /// The requirements for each way of matching the prompt's objects to the judge's slots:
  /// the canonical order first, then (for two objects) the swapped one.
  public static func assignments(_ prompt: Prompt) -> [[AttributeRequirement]] {
    let order = CanonicalOrder.order(prompt.objects)
    let orders = order.count == 2 ? [order, [order[1], order[0]]] : [order]
    let colourless = prompt.style.map { colourlessStyles.contains($0) } ?? false
    return orders.map { slots in
      var reqs: [AttributeRequirement] = []
      for (slot, k) in slots.enumerated() {
        let o = prompt.objects[k]
        let first = slot == 0
        if !colourless { reqs.append(AttributeRequirement(first ? .colour : .secondColour, AttributeClass.colour(o.colour))) }
        reqs.append(AttributeRequirement(first ? .shape : .secondShape, AttributeClass.shape(o.shape)))
        reqs.append(AttributeRequirement(first ? .count : .secondCount, AttributeClass.count(o.count)))
        if let p = o.position { reqs.append(AttributeRequirement(first ? .position : .secondPosition, AttributeClass.position(p))) }
      }
      if slots.count == 1 { reqs.append(AttributeRequirement(.secondShape, AttributeClass.noSecondShape)) }
      if let b = prompt.background {
        let isColour: Bool
        if case .plain = b { isColour = true } else { isColour = false }
        if !(colourless && isColour) { reqs.append(AttributeRequirement(.background, AttributeClass.background(b))) }
      }
      if let s = prompt.style { reqs.append(AttributeRequirement(.style, AttributeClass.style(s))) }
      return reqs
    }
  }

  /// exp(mean(log max(p, floor))): the geometric mean of probabilities (1 for none).
  public static func geometricMean(_ p: [Float]) -> Float {
    guard !p.isEmpty else { return 1 }
    let logs = p.reduce(0.0) { $0 + Foundation.log(max(Double($1), floor)) }
    return Float(Foundation.exp(logs / Double(p.count)))
  }

  /// The probability that the judged image matches `prompt`: the geometric mean of the
  /// required classes' probabilities, for the better matching of objects to slots.
  public static func probability(prompt: Prompt, prediction: JudgedAttributes) -> Float {
    assignments(prompt).map { score($0, prediction) }.max() ?? 0
  }

  /// Partial credit: the arithmetic mean of the required classes' probabilities, for the
  /// better matching of objects to slots; the expected fraction of the prompt's attributes the
  /// judge finds, GenEval's partial score in expectation. This is the alignment *reward*. The
  /// geometric mean above is a probability of the whole prompt, but as a reward it lets the
  /// smallest factor dominate: an attribute the generator cannot yet draw (shape, at chance)
  /// sits near 1/6 with judge noise, its logarithm swings the most, and the group-relative
  /// advantages then rank images by noise instead of by the attributes that can move.
  public static func partialCredit(prompt: Prompt, prediction: JudgedAttributes) -> Float {
    assignments(prompt).map { reqs in
      reqs.isEmpty ? 1 : reqs.reduce(Float(0)) { $0 + prediction.probability($1.attribute.head, $1.value) } / Float(reqs.count)
    }.max() ?? 0
  }

  /// Whether every specified attribute's most probable class is the prompt's (for some
  /// matching of objects to slots).
  public static func isAligned(prompt: Prompt, prediction: JudgedAttributes) -> Bool {
    assignments(prompt).contains { reqs in reqs.allSatisfy { prediction.argmax($0.attribute.head) == $0.value } }
  }

  /// Per specified attribute, whether its most probable class is the prompt's, under the
  /// matching with the most correct attributes (ties: the higher probability).
  public static func correctness(prompt: Prompt, prediction: JudgedAttributes) -> [JudgedAttribute: Bool] {
    var best: (correct: Int, p: Float, result: [JudgedAttribute: Bool])? = nil
    for reqs in assignments(prompt) {
      var result: [JudgedAttribute: Bool] = [:]
      for r in reqs { result[r.attribute] = prediction.argmax(r.attribute.head) == r.value }
      let correct = result.values.filter { $0 }.count
      let p = score(reqs, prediction)
      if best.map({ correct > $0.correct || (correct == $0.correct && p > $0.p) }) ?? true { best = (correct, p, result) }
    }
    return best?.result ?? [:]
  }

  /// The geometric mean of the required classes' probabilities.
  static func score(_ reqs: [AttributeRequirement], _ prediction: JudgedAttributes) -> Float {
    geometricMean(reqs.map { prediction.probability($0.attribute.head, $0.value) })
  }
}

extension AttributeJudge {
  /// Model-layout floats (N, 3, S, S) in [−1, 1] of images, resized to the judge's size if needed.
  public func planar(_ images: [RGBImage]) -> [Float] {
    let S = config.trunk.imageSize
    var out: [Float] = []
    out.reserveCapacity(images.count * imageFloats)
    for image in images {
      let fitted = image.width == S && image.height == S ? image : image.resized(width: S, height: S)
      out += fitted.planarSigned()
    }
    return out
  }

  /// Judges RGB images.
  public func predict(images: [RGBImage], batchSize: Int = 64, graph: Graph = Graph()) -> [JudgedAttributes] {
    predict(images: planar(images), batchSize: batchSize, graph: graph)
  }

  /// P(image matches prompt) for each of `images` (B, 3, S, S) in [−1, 1], all of one prompt.
  public func alignment(prompt: Prompt, images: [Float], graph: Graph = Graph()) -> [Float] {
    predict(images: images, graph: graph).map { Alignment.probability(prompt: prompt, prediction: $0) }
  }

  /// P(image matches prompt) for each RGB image, all of one prompt.
  public func alignment(prompt: Prompt, images: [RGBImage], graph: Graph = Graph()) -> [Float] {
    alignment(prompt: prompt, images: planar(images), graph: graph)
  }

  /// P(image i matches prompt i) for images (N, 3, S, S) in [−1, 1] and one prompt each.
  public func alignment(prompts: [Prompt], images: [Float], graph: Graph = Graph()) -> [Float] {
    judge(prompts, images, graph, Alignment.probability)
  }

  /// Partial credit (see `Alignment.partialCredit`) of image i for prompt i.
  public func partialCredit(prompts: [Prompt], images: [Float], graph: Graph = Graph()) -> [Float] {
    judge(prompts, images, graph, Alignment.partialCredit)
  }

  /// Whether each image is aligned with its prompt (every specified attribute's argmax right).
  public func isAligned(prompts: [Prompt], images: [Float], graph: Graph = Graph()) -> [Bool] {
    judge(prompts, images, graph, Alignment.isAligned)
  }

  /// Judges images (N, 3, S, S) in [−1, 1], one prompt each, and scores every pair.
  private func judge<T>(_ prompts: [Prompt], _ images: [Float], _ graph: Graph,
                        _ score: (_ prompt: Prompt, _ prediction: JudgedAttributes) -> T) -> [T] {
    let judged = predict(images: images, graph: graph)
    precondition(judged.count == prompts.count, "judge: \(prompts.count) prompts for \(judged.count) images")
    return zip(prompts, judged).map { score($0, $1) }
  }
}
