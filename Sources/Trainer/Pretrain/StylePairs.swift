import Engine
import Foundation
import Imaging
import World

// The StyleReward set (WORLD.md, ALGORITHMS.md §5): for a content image (an unstyled world
// render) and an instruction "in <style> style", the winner is that style applied to that
// content at full strength. The loser is one of two families:
// - content-only negatives keep the content and miss the style: another style at full
//   strength, or the asked style weakened (strength 0.1–0.5);
// - style-only negatives keep the style and drift the content: the same prompt with one
//   object moved, recoloured or given another shape, rendered from the same seed (so nothing
//   else moves) and styled with the same style seed (so even the paper grain matches).
// Training and held-out pairs come from disjoint content seeds and from the training and
// held-out prompt splits.

/// How a StyleReward loser differs from the perfect output.
public enum StyleNegativeKind: String, CaseIterable, Codable, Sendable {
  /// Right content, another style.
  case wrongStyle = "wrong-style"
  /// Right content, the asked style too weak.
  case weakStyle = "weak-style"
  /// Right style, an object moved.
  case moved
  /// Right style, an object recoloured.
  case recoloured
  /// Right style, an object given another shape.
  case reshaped

  /// Whether the loser keeps the content (and misses the style).
  public var isContentOnly: Bool { self == .wrongStyle || self == .weakStyle }
}

/// One StyleReward pair: content, instruction, the perfect output and a negative.
public struct StylePair: Sendable {
  public var prompt: Prompt
  /// The prompt the loser's content was rendered from (equal to `prompt` for content-only).
  public var loserPrompt: Prompt
  public var style: Style
  public var kind: StyleNegativeKind
  /// The unstyled content image.
  public var content: RGBImage
  public var winner: RGBImage
  public var loser: RGBImage
  /// The style and strength the loser shows.
  public var loserStyle: Style
  public var loserStrength: Float
}

/// Builds StyleReward pairs; each is a pure function of (prompt, style, kind, seed).
public enum StylePairs {
  /// Strength range of a weakened style.
  public static let weakStrength: ClosedRange<Float> = 0.1...0.5

  /// One pair, or nil when the prompt cannot carry the content change.
  public static func make(prompt: Prompt, style: Style, kind: StyleNegativeKind, size: Int, seed: UInt64) -> StylePair? {
    var rng = RNG(seed: seed).stream(60)
    var base = prompt
    base.style = nil
    var winnerPrompt = base, loserPrompt = base
    switch kind {
    case .wrongStyle, .weakStyle: break
    case .moved, .recoloured, .reshaped:
      let change: NegativeKind = kind == .moved ? .position : kind == .recoloured ? .colour : .shape
      guard let (w, l) = PreferencePairs.prompts(for: base, kind: change, rng: &rng) else { return nil }
      (winnerPrompt, loserPrompt) = (w, l)
    }
    let renderSeed = rng.nextBlock().hashSeed, styleSeed = rng.nextBlock().hashSeed
    let content = Renderer.render(winnerPrompt, size: size, seed: renderSeed).image
    let winner = style.apply(to: content, strength: 1, seed: styleSeed)
    var loserStyle = style, loserStrength: Float = 1
    let loser: RGBImage
    switch kind {
    case .wrongStyle:
      let others = Style.allCases.filter { $0 != style }
      loserStyle = others[rng.int(others.count)]
      loser = loserStyle.apply(to: content, strength: 1, seed: styleSeed)
    case .weakStyle:
      loserStrength = rng.uniform(weakStrength.lowerBound, weakStrength.upperBound)
      loser = style.apply(to: content, strength: loserStrength, seed: styleSeed)
    case .moved, .recoloured, .reshaped:
      let drifted = Renderer.render(loserPrompt, size: size, seed: renderSeed).image
      loser = style.apply(to: drifted, strength: 1, seed: styleSeed)
    }
    return StylePair(prompt: winnerPrompt, loserPrompt: loserPrompt, style: style, kind: kind, content: content,
                     winner: winner, loser: loser, loserStyle: loserStyle, loserStrength: loserStrength)
  }

  /// `count` pairs, kinds and styles in turn, from the training or held-out prompt split.
  /// The two splits also draw their content seeds from different streams.
  public static func build(count: Int, size: Int, heldOut: Bool, sampler: PromptSampler, seed: UInt64) -> [StylePair] {
    var out: [StylePair] = []
    out.reserveCapacity(count)
    var prompts = PromptStream(sampler, heldOut: heldOut, roundSize: max(count, 64))
    var rng = RNG(seed: seed).stream(heldOut ? 71 : 70)
    let kinds = StyleNegativeKind.allCases, styles = Style.allCases
    while out.count < count {
      let prompt = prompts.next()
      // Kinds cycle fastest, styles per full cycle of kinds, so every (kind, style) appears.
      let kind = kinds[out.count % kinds.count], style = styles[(out.count / kinds.count) % styles.count]
      guard let pair = make(prompt: prompt, style: style, kind: kind, size: size, seed: rng.nextBlock().hashSeed),
        PromptSampler.isHeldOut(pair.prompt) == heldOut
      else { continue }
      out.append(pair)
    }
    return out
  }
}
