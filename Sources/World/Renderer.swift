// The procedural renderer: a prompt and a seed in, an image and the exact attributes drawn out.
//
// Per seed it jitters each instance's position (uniform within its grid cell), size (small
// ~0.12 S, large ~0.22 S, unspecified uniform in between; S = image side), rotation (±20
// degrees; circles and rings keep 0) and colour (a small HSV jitter that keeps the colour's
// name). Instances keep a gap between them (see Layout for the one crowded exception at
// 16 px), and every shape lies wholly inside the image.
//
// Default background (no "on ..."): a neutral grey of level 0.30...0.38. Grey is no colour word
// and sits at least ~0.4 (RGB distance) from every palette colour, black and white included,
// so it never matches or hides an object. Patterns ("striped", "checkered", "gradient") use two
// slightly tinted greys of different lightness (0.26...0.60), likewise at least 0.36 from every
// palette colour. A plain colour background is drawn as asked, even if it equals an object's
// colour (the sampler never asks for that).

import Engine
import Foundation
import Imaging

/// One drawn object instance.
public struct ObjectInstance: Codable, Equatable, Sendable {
  /// Index of the ObjectSpec (in `prompt.objects`) this instance draws.
  public var spec: Int
  /// The shape drawn.
  public var shape: ShapeKind
  /// The colour word drawn.
  public var colour: Colour
  /// The exact RGB drawn (the colour's canonical RGB with per-seed jitter).
  public var rgb: SIMD3<Float>
  /// Centre in pixels, x right and y down; pixel (i, j) covers [i, i+1) x [j, j+1).
  public var centre: SIMD2<Float>
  /// Nominal radius in pixels (the circle's radius; other shapes scale from it, see SDF).
  public var radius: Float
  /// Rotation in radians, clockwise on screen.
  public var rotation: Float
  /// The grid cell the centre lies in.
  public var region: Position
}

/// What the renderer drew: the ground truth for judges, probes and tests.
public struct SceneLabels: Codable, Equatable, Sendable {
  /// Image side in pixels.
  public var size: Int
  /// The prompt rendered.
  public var prompt: Prompt
  /// Every instance, grouped by spec in prompt order.
  public var instances: [ObjectInstance]
  /// Instances drawn per spec (equal to each spec's count).
  public var counts: [Int]
  /// The background asked for, or nil for the default grey.
  public var background: Background?
  /// The background's colours as drawn: one for a plain fill, two for a pattern.
  public var backgroundColours: [SIMD3<Float>]
  /// The style applied, if any.
  public var style: Style?
}

/// A rendered image with its labels.
public struct Scene: Equatable, Sendable {
  /// The final image (with the prompt's style applied, if any).
  public var image: RGBImage
  /// The image before any style: equal to `image` for prompts without a style.
  public var content: RGBImage
  /// What was drawn.
  public var labels: SceneLabels
}

/// Renders prompts exactly; every output is a pure function of (prompt, size, seed).
public enum Renderer {
  /// Radius fraction of the image side for "small", "large" and unspecified sizes.
  static let smallRadius: ClosedRange<Float> = 0.110...0.130
  static let largeRadius: ClosedRange<Float> = 0.209...0.231
  static let anyRadius: ClosedRange<Float> = 0.145...0.195
  /// Largest rotation jitter in radians (about 20 degrees).
  static let maxRotation: Float = 0.35

  /// Renders `prompt` at `size` x `size` pixels; a styled prompt gets its style at
  /// `styleStrength` (1 = full).
  public static func render(
    _ prompt: Prompt, size: Int, seed: UInt64, styleStrength: Float = 1
  ) -> Scene {
    precondition(size >= 4, "Renderer.render: size \(size) is below 4 pixels")
    let root = RNG(seed: seed)
    var backgroundRNG = root.stream(1)
    var layoutRNG = root.stream(2)
    var lookRNG = root.stream(3)
    let s = Float(size)

    // Instances, with per-instance size, colour and rotation jitter.
    var items: [LayoutItem] = []
    var looks: [(rgb: SIMD3<Float>, rotation: Float)] = []
    for (k, spec) in prompt.objects.enumerated() {
      let range: ClosedRange<Float>
      switch spec.size {
      case .small: range = smallRadius
      case .large: range = largeRadius
      case nil: range = anyRadius
      }
      // One base size per spec so "two small circles" look alike, with a little spread.
      let base = lookRNG.uniform(range.lowerBound, range.upperBound) * s
      for _ in 0..<spec.count {
        let radius = base * lookRNG.uniform(0.98, 1.02)
        items.append(
          LayoutItem(
            spec: k, position: spec.position, radius: radius, bound: SDF.boundingFactor(spec.shape))
        )
        let symmetric = spec.shape == .circle || spec.shape == .ring
        let rotation = symmetric ? 0 : lookRNG.uniform(-maxRotation, maxRotation)
        looks.append((spec.colour.jittered(&lookRNG), rotation))
      }
    }
    let placed = Layout.place(items, size: size, rng: &layoutRNG)
    var instances: [ObjectInstance] = []
    for (i, item) in items.enumerated() {
      let spec = prompt.objects[item.spec]
      instances.append(
        ObjectInstance(
          spec: item.spec, shape: spec.shape, colour: spec.colour, rgb: looks[i].rgb,
          centre: placed[i].centre, radius: placed[i].radius, rotation: looks[i].rotation,
          region: placed[i].region))
    }

    var image = RGBImage(width: size, height: size)
    let colours = Backdrop.draw(prompt.background, into: &image, rng: &backgroundRNG)
    for instance in instances { draw(instance, into: &image) }

    let labels = SceneLabels(
      size: size, prompt: prompt, instances: instances, counts: prompt.objects.map(\.count),
      background: prompt.background, backgroundColours: colours, style: prompt.style)
    var styled = image
    if let style = prompt.style {
      styled = style.apply(to: image, strength: styleStrength, seed: root.stream(4).key)
    }
    return Scene(image: styled, content: image, labels: labels)
  }

  /// Composites one anti-aliased instance over `image`, touching only its bounding box.
  static func draw(_ instance: ObjectInstance, into image: inout RGBImage) {
    let size = image.width
    let reach = instance.radius * SDF.boundingFactor(instance.shape) + 1
    let c = instance.centre
    let x0 = max(0, Int((c.x - reach).rounded(.down)))
    let x1 = min(size - 1, Int((c.x + reach).rounded(.up)))
    let y0 = max(0, Int((c.y - reach).rounded(.down)))
    let y1 = min(image.height - 1, Int((c.y + reach).rounded(.up)))
    guard x0 <= x1, y0 <= y1 else { return }
    let cosR = cosf(instance.rotation)
    let sinR = sinf(instance.rotation)
    let rgb = instance.rgb
    let shape = instance.shape
    let radius = instance.radius
    image.pixels.withUnsafeMutableBufferPointer { buffer in
      guard let p = buffer.baseAddress else { return }
      for y in y0...y1 {
        let dy = Float(y) + 0.5 - c.y
        for x in x0...x1 {
          let dx = Float(x) + 0.5 - c.x
          // Undo the (clockwise, y-down) rotation, then flip y so shapes point up.
          let local = SIMD2(cosR * dx + sinR * dy, -(-sinR * dx + cosR * dy))
          let cover = SDF.coverage(SDF.distance(shape, local, radius: radius))
          if cover <= 0 { continue }
          let q = p + 3 * (y * size + x)
          q[0] += cover * (rgb.x - q[0])
          q[1] += cover * (rgb.y - q[1])
          q[2] += cover * (rgb.z - q[2])
        }
      }
    }
  }
}
