// Reference images for discriminator and preference rewards (WORLD.md, "Datasets made on the
// fly"): either clean renders per prompt, cached for the run, or every PNG in a user's folder
// resized to the model's size. A folder is read once; bad files are skipped with one warning
// each, and a folder with nothing usable is an error that names it.

import Engine
import Foundation
import Imaging

/// Clean reference renders per prompt with a small cache, and reference folders.
///
/// The cache is guarded by a lock, so one instance may be shared across tasks.
public final class ReferenceSet: @unchecked Sendable {
  /// What identifies a cached batch of renders.
  struct Key: Hashable {
    let text: String
    let count: Int
    let size: Int
    let seed: UInt64
  }

  /// Most batches kept; the oldest is evicted first.
  public let capacity: Int
  private var cache: [Key: [RGBImage]] = [:]
  private var order: [Key] = []
  private let lock = NSLock()

  /// Creates an empty cache holding at most `capacity` batches (at least 1).
  public init(capacity: Int = 256) {
    self.capacity = max(1, capacity)
  }

  /// Batches currently cached.
  public var cachedBatches: Int {
    lock.lock()
    defer { lock.unlock() }
    return cache.count
  }

  /// `count` clean renders of `prompt` at `size` px, render i with seed derived from
  /// (seed, i), so each index has its own jitter; cached by (text, count, size, seed).
  public func renders(for prompt: Prompt, count: Int, size: Int, seed: UInt64) -> [RGBImage] {
    let key = Key(text: prompt.text, count: count, size: size, seed: seed)
    lock.lock()
    if let hit = cache[key] {
      lock.unlock()
      return hit
    }
    lock.unlock()
    // Render outside the lock: a concurrent miss on the same key only duplicates work.
    let images = ReferenceSet.render(prompt, count: count, size: size, seed: seed)
    lock.lock()
    defer { lock.unlock() }
    if cache[key] == nil {
      cache[key] = images
      order.append(key)
      while order.count > capacity {
        cache[order.removeFirst()] = nil
      }
    }
    return images
  }

  /// The uncached renders behind `renders(for:count:size:seed:)`.
  public static func render(_ prompt: Prompt, count: Int, size: Int, seed: UInt64) -> [RGBImage] {
    let root = RNG(seed: seed)
    return (0..<max(0, count)).map { i in
      Renderer.render(prompt, size: size, seed: root.stream(UInt64(i)).key).image
    }
  }

  /// Every `*.png` (any case) in the folder at `path`, sorted by file name, centre-cropped to
  /// a square and resized to `size` x `size` (area filter when shrinking).
  ///
  /// An unreadable file calls `warn("<path>: <reason>, skipped")` and is skipped; other files
  /// are ignored. Throws a WorldError naming the folder if it is missing, not a folder, or
  /// holds no usable PNG.
  public static func folder(
    path: String, size: Int, warn: (String) -> Void
  ) throws -> [RGBImage] {
    precondition(size > 0, "ReferenceSet.folder: size \(size) must be positive")
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw WorldError("\(path): reference folder does not exist")
    }
    guard isDirectory.boolValue else {
      throw WorldError("\(path): reference path is not a folder")
    }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: path)
    } catch {
      throw WorldError("\(path): cannot list reference folder (\(error.localizedDescription))")
    }
    // Byte order, not locale order, so the sequence is the same on every machine.
    let pngs = names.filter { $0.lowercased().hasSuffix(".png") }
      .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    let base = path.hasSuffix("/") ? path : path + "/"
    var images: [RGBImage] = []
    var skipped = 0
    for name in pngs {
      let file = base + name
      do {
        let image = try PNG.read(path: file)
        images.append(fitted(image, size: size))
      } catch {
        skipped += 1
        warn("\(file): \(reason(error, file: file)), skipped")
      }
    }
    if images.isEmpty {
      let detail =
        pngs.isEmpty
        ? "no .png files" : "none of its \(pngs.count) .png files is readable (\(skipped) skipped)"
      throw WorldError("\(path): no usable reference images: \(detail)")
    }
    return images
  }

  /// The centre square of `image`, resized to `size` x `size`.
  static func fitted(_ image: RGBImage, size: Int) -> RGBImage {
    let side = min(image.width, image.height)
    let square = image.cropped(
      x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side)
    return square.resized(width: size, height: size, filter: side > size ? .area : .bilinear)
  }

  /// An error's text without the file-name prefix Imaging errors already carry.
  static func reason(_ error: Error, file: String) -> String {
    let text = String(describing: error)
    let prefix = file + ": "
    return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
  }
}
