import Engine
import Imaging
import World

// The editor's pretraining data: local edits of world renders (WORLD.md). A content image is a
// render of a training prompt; the target is the same render seed drawn from a prompt with one
// thing changed (an object recoloured or moved, or another background), so everything else in
// the picture stays where it was. The instruction is the target's own prompt ("red circle at
// left on blue"): the editor learns to keep what the content image and the text agree on and
// to change what they do not. No pair ever carries a style, so the pretrained editor edits
// locally well and transfers global style poorly, like the paper's base model; a style
// instruction is the same kind of text with "in <style> style" at the end.

/// What an edit pair changes.
public enum EditKind: String, CaseIterable, Codable, Sendable {
  /// One object takes another colour.
  case recolour
  /// One object goes to another region.
  case move
  /// The background changes.
  case background
  /// Nothing changes: the instruction is the content's own prompt.
  case keep
}

/// One edit: the content image, the instruction (the target's prompt) and the target image.
public struct EditPair: Sendable {
  public var contentPrompt: Prompt
  public var instruction: Prompt
  public var kind: EditKind
  public var content: RGBImage
  public var target: RGBImage
}

/// Builds edit pairs; each is a pure function of (prompt, kind, seed).
public enum EditPairs {
  /// One pair, or nil when the prompt cannot carry the edit (no free region left, say).
  public static func make(prompt: Prompt, kind: EditKind, size: Int, seed: UInt64) -> EditPair? {
    var rng = RNG(seed: seed).stream(80)
    var base = prompt
    base.style = nil
    var content = base, target = base
    switch kind {
    case .keep: break
    case .recolour, .move, .background:
      let change: NegativeKind = kind == .recolour ? .colour : kind == .move ? .position : .background
      // PreferencePairs' (winner, loser) differ in exactly one attribute: the loser is the edit.
      guard let (w, l) = PreferencePairs.prompts(for: base, kind: change, rng: &rng) else { return nil }
      (content, target) = (w, l)
    }
    let renderSeed = rng.nextBlock().hashSeed
    return EditPair(contentPrompt: content, instruction: target, kind: kind,
                    content: Renderer.render(content, size: size, seed: renderSeed).image,
                    target: Renderer.render(target, size: size, seed: renderSeed).image)
  }

  /// The style-transfer task on the same footing: the instruction is the content's prompt "in
  /// <style> style", and the target is the style applied to the content at full strength.
  public static func styled(prompt: Prompt, style: Style, size: Int, seed: UInt64) -> EditPair {
    var rng = RNG(seed: seed).stream(81)
    var base = prompt
    base.style = nil
    var instruction = base
    instruction.style = style
    let renderSeed = rng.nextBlock().hashSeed, styleSeed = rng.nextBlock().hashSeed
    let content = Renderer.render(base, size: size, seed: renderSeed).image
    return EditPair(contentPrompt: base, instruction: instruction, kind: .keep, content: content,
                    target: style.apply(to: content, strength: 1, seed: styleSeed))
  }

  /// `count` pairs with kinds in turn (`keepShare` of them `keep`), from the training or the
  /// held-out prompt split; draws that cannot carry their edit are skipped.
  public static func build(count: Int, size: Int, heldOut: Bool, seed: UInt64, keepShare: Float,
                           distribution: PromptDistribution) -> [EditPair] {
    var rng = RNG(seed: seed).stream(heldOut ? 83 : 82)
    let edits: [EditKind] = [.recolour, .move, .background]
    var out: [EditPair] = []
    out.reserveCapacity(count)
    var prompts = PromptStream(PromptSampler(seed: seed, distribution: distribution), heldOut: heldOut, roundSize: 64)
    while out.count < count {
      let prompt = prompts.next()
      let kind = rng.uniform() < keepShare ? EditKind.keep : edits[out.count % edits.count]
      // The split follows the content; a training edit must not reach a held-out prompt either.
      guard let pair = make(prompt: prompt, kind: kind, size: size, seed: rng.nextBlock().hashSeed),
        heldOut || !PromptSampler.isHeldOut(pair.instruction)
      else { continue }
      out.append(pair)
    }
    return out
  }
}
