import Engine
import Foundation
import Imaging
import World

// Preference pairs from the world (WORLD.md, "preference"): for a prompt, the aligned clean
// render is the winner; the loser is either a render of the same prompt with exactly one
// attribute changed (colour, shape, position, count or background of one object / the scene)
// or the winner itself degraded (blur, noise, blockiness or colour cast). A prompt that leaves
// the attribute open (no position, no background) is first completed with a random value, so
// the loser really contradicts the prompt the head is shown.

/// How the losing image of a pair differs from the prompt.
public enum NegativeKind: String, CaseIterable, Codable, Sendable {
  case colour, shape, position, count, background, degraded
}

/// One winner/loser pair for a prompt, with what was drawn on each side.
public struct PreferencePair: Sendable {
  /// The prompt both images are judged against (completed if the kind needed it).
  public var prompt: Prompt
  /// The prompt the loser was rendered from (equal to `prompt` for degradations).
  public var loserPrompt: Prompt
  public var kind: NegativeKind
  public var winner: Scene
  public var loser: Scene
}

/// Builds preference pairs; every choice is a pure function of the prompt, kind and seed.
public enum PreferencePairs {
  /// The (completed prompt, loser prompt) for an attribute change, or nil when the prompt
  /// cannot carry this change (e.g. no free position left). Degradations keep the prompt.
  public static func prompts(for prompt: Prompt, kind: NegativeKind, rng: inout RNG) -> (winner: Prompt, loser: Prompt)? {
    var winner = prompt
    let k = rng.int(prompt.objects.count)
    let other = prompt.objects.count > 1 ? prompt.objects[1 - k] : nil
    var loser = winner
    switch kind {
    case .degraded:
      return (winner, winner)
    case .colour:
      // Not the other object's colour (the objects would swap roles) nor a plain background's.
      var banned: Set<Colour> = [prompt.objects[k].colour]
      if let other { banned.insert(other.colour) }
      if case .plain(let c)? = prompt.background { banned.insert(c) }
      guard let c = pick(Colour.allCases.filter { !banned.contains($0) }, &rng) else { return nil }
      loser.objects[k].colour = c
    case .shape:
      let banned = ShapeKind.allCases.filter { s in
        s == prompt.objects[k].shape || (other.map { $0.colour == prompt.objects[k].colour && $0.shape == s } ?? false)
      }
      guard let s = pick(ShapeKind.allCases.filter { !banned.contains($0) }, &rng) else { return nil }
      loser.objects[k].shape = s
    case .position:
      let taken = other?.position
      if winner.objects[k].position == nil {
        guard let p = pick(Position.allCases.filter { $0 != taken }, &rng) else { return nil }
        winner.objects[k].position = p
      }
      let asked = winner.objects[k].position
      guard let p = pick(Position.allCases.filter { $0 != taken && $0 != asked }, &rng) else { return nil }
      loser = winner
      loser.objects[k].position = p
    case .count:
      guard let n = pick([1, 2, 3].filter { $0 != prompt.objects[k].count }, &rng) else { return nil }
      loser.objects[k].count = n
    case .background:
      // Plain backgrounds never take an object's colour, so the objects stay visible.
      let used = Set(prompt.objects.map(\.colour))
      let allowed = Background.allCases.filter { b in
        if case .plain(let c) = b { return !used.contains(c) }
        return true
      }
      if winner.background == nil {
        guard let b = pick(allowed, &rng) else { return nil }
        winner.background = b
      }
      let asked = winner.background
      guard let b = pick(allowed.filter { $0 != asked }, &rng) else { return nil }
      loser = winner
      loser.background = b
    }
    return (winner, loser)
  }

  /// Renders one pair at `size`. Attribute negatives reuse the winner's render seed with
  /// probability `sameSeed` (then only the attribute moves) and a fresh seed otherwise (the
  /// whole layout changes too, as between two generated samples).
  public static func make(prompt: Prompt, kind: NegativeKind, size: Int, seed: UInt64, sameSeed: Float,
                          severity: [Float]) -> PreferencePair? {
    var rng = RNG(seed: seed).stream(20)
    guard let (winnerPrompt, loserPrompt) = prompts(for: prompt, kind: kind, rng: &rng) else { return nil }
    let winnerSeed = rng.nextBlock().hashSeed
    let winner = Renderer.render(winnerPrompt, size: size, seed: winnerSeed)
    var loser: Scene
    if kind == .degraded {
      let d = Degradation.allCases[rng.int(Degradation.allCases.count)]
      let s = rng.uniform(severity[0], severity[1])
      loser = winner
      loser.image = d.apply(to: winner.image, severity: s, seed: rng.nextBlock().hashSeed)
    } else {
      let loserSeed = rng.uniform() < sameSeed ? winnerSeed : rng.nextBlock().hashSeed
      loser = Renderer.render(loserPrompt, size: size, seed: loserSeed)
    }
    return PreferencePair(prompt: winnerPrompt, loserPrompt: loserPrompt, kind: kind, winner: winner, loser: loser)
  }

  /// `count` pairs from the training or held-out prompt split, kinds in turn (so each kind
  /// gets a sixth). A completed prompt must stay on its side of the split; prompts that
  /// cannot are skipped.
  public static func build(count: Int, size: Int, heldOut: Bool, sampler: PromptSampler, seed: UInt64,
                           sameSeed: Float, severity: [Float]) -> [PreferencePair] {
    var out: [PreferencePair] = []
    out.reserveCapacity(count)
    var prompts = PromptStream(sampler, heldOut: heldOut, roundSize: max(count, 64))
    var rng = RNG(seed: seed).stream(heldOut ? 31 : 30)
    while out.count < count {
      let prompt = prompts.next()
      let kind = NegativeKind.allCases[out.count % NegativeKind.allCases.count]
      guard let pair = make(prompt: prompt, kind: kind, size: size, seed: rng.nextBlock().hashSeed,
                            sameSeed: sameSeed, severity: severity),
        PromptSampler.isHeldOut(pair.prompt) == heldOut
      else { continue }
      out.append(pair)
    }
    return out
  }

  /// A uniformly chosen element, or nil for an empty array.
  static func pick<T>(_ options: [T], _ rng: inout RNG) -> T? {
    options.isEmpty ? nil : options[rng.int(options.count)]
  }
}
