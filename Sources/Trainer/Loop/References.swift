import Foundation
import Imaging
import World

/// Adv-GRPO's "real" images: clean renders of each prompt, or one folder of PNGs for every
/// prompt (style customisation), as model-ready floats (N, 3, S, S) in [−1, 1].
public final class ReferenceImages {
  let perPrompt: Int
  let size: Int
  let seed: UInt64
  let folderImages: [RGBImage]?
  let renders = ReferenceSet()

  /// `folder` "" for per-prompt renders; bad files in a folder are skipped through `warn`.
  public init(perPrompt: Int, size: Int, seed: UInt64, folder: String, warn: (String) -> Void) throws {
    self.perPrompt = perPrompt
    self.size = size
    self.seed = seed
    folderImages = folder.isEmpty ? nil : try ReferenceSet.folder(path: folder, size: size, warn: warn)
  }

  /// The references of `prompt`: `perPrompt` renders (cached), or a fixed sample of the folder.
  public func images(for prompt: Prompt) -> [RGBImage] {
    if let folderImages {
      // A deterministic choice of perPrompt folder images, varied by prompt.
      let start = Int(StableHash.fnv1a64(prompt.text) % UInt64(max(folderImages.count, 1)))
      return (0..<min(perPrompt, folderImages.count)).map { folderImages[(start + $0) % folderImages.count] }
    }
    return renders.renders(for: prompt, count: perPrompt, size: size, seed: seed)
  }

  /// Planar floats of a list of images: (N, 3, S, S).
  public static func planar(_ images: [RGBImage]) -> [Float] {
    var out: [Float] = []
    out.reserveCapacity(images.count * 3 * (images.first.map { $0.width * $0.height } ?? 0))
    for image in images { out += image.planarSigned() }
    return out
  }
}
