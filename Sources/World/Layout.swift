// Where the renderer puts each object instance: centres inside their grid cells, whole shapes
// inside the image, and no two instances closer than a small gap, so labels (region, count)
// can be read back from the pixels.
//
// Search: instances with a named position are placed first, then the rest; each is drawn
// uniformly from its allowed rectangle and rejected if it comes within `gap` of an earlier one
// (bounding circles). A round is many such attempts; when a round fails, the groups (specs) of
// the instances that failed often (and any group that mostly blocked them and is no smaller)
// shrink by 8% and the search repeats, down to a floor radius of max(1 px, 0.04 S).
//
// Limit: at 16 px a cell is 5.3 px wide, so three instances named into one cell cannot keep
// the gap even at the floor radius; there the layout falls back to the least overlap it finds.
// At 32 px and above every sampled prompt is placed without overlap. Everything draws from
// the caller's RNG, so a layout is a pure function of the seed.

import Engine

/// One instance to place: its spec, nominal radius and bounding factor.
struct LayoutItem {
  /// Index of the ObjectSpec this instance belongs to.
  var spec: Int
  /// The named cell, or nil for a random cell per attempt.
  var position: Position?
  /// Nominal radius in pixels (see SDF).
  var radius: Float
  /// Bounding-circle radius per unit of nominal radius.
  var bound: Float
}

/// A placed instance: its centre (pixels) and the cell the centre lies in.
struct Placed {
  var centre: SIMD2<Float>
  var radius: Float
  var region: Position
}

/// Places object instances without overlap.
enum Layout {
  /// Shrink factor per failed round.
  static let shrink: Float = 0.92
  /// Rounds before giving up on non-overlap.
  static let rounds = 48
  /// Attempts per round and candidates per instance per attempt.
  static let attempts = 16
  static let candidates = 32

  /// Centres are kept this fraction of a cell away from the cell's edges, so a centroid
  /// measured from pixels still falls in the named cell.
  static let inset: Float = 0.1

  /// The largest nominal radius (pixels) whose shape fits inside the image from any cell,
  /// for a shape with bounding factor `bound` in a `size` image.
  static func maxRadius(bound: Float, size: Int) -> Float {
    let third = Float(size) / 3
    return third * (1 - inset) / bound
  }

  /// A starting radius for `count` instances named into one cell, so the search starts near
  /// what fits instead of shrinking there round by round.
  ///
  /// Centres must lie in a square of side L = 0.9 t - R (t = S / 3, R the bounding radius; the
  /// worst case is a cell on the image edge). Two points in it can be √2 L apart, three about
  /// 1.035 L (a tilted equilateral triangle); solving `spacing * L >= 2 R + gap` for R, with 5%
  /// slack for the random search, gives the bound.
  static func groupRadius(count: Int, bound: Float, size: Int, gap: Float) -> Float {
    let t = Float(size) / 3
    let spacing: Float = count == 2 ? 1.414 : 1.035
    let reach = (spacing * (1 - inset) * t - gap) / (2 + spacing)
    return max(0.95 * reach / bound, minRadius(size: size))
  }

  /// The smallest gap (pixels) kept between bounding circles.
  static func gap(size: Int) -> Float { max(1.5, 0.05 * Float(size)) }

  /// The smallest radius (pixels) shrinking may reach.
  static func minRadius(size: Int) -> Float { max(1, 0.04 * Float(size)) }

  /// Places `items` in a `size` x `size` image; results are in item order.
  static func place(_ items: [LayoutItem], size: Int, rng: inout RNG) -> [Placed] {
    let gap = gap(size: size)
    let groupSizes = items.map { item in items.filter { $0.spec == item.spec }.count }
    var radii = items.indices.map { i in
      let item = items[i]
      var r = min(item.radius, maxRadius(bound: item.bound, size: size))
      if item.position != nil && groupSizes[i] > 1 {
        r = min(r, groupRadius(count: groupSizes[i], bound: item.bound, size: size, gap: gap))
      }
      return r
    }
    // Named positions first: they have the least freedom.
    let order = items.indices.sorted { a, b in
      let (pa, pb) = (items[a].position != nil, items[b].position != nil)
      return pa != pb ? pa : a < b
    }
    let floor = minRadius(size: size)
    var centres = [SIMD2<Float>](repeating: .zero, count: items.count)
    var cells = [Position](repeating: .center, count: items.count)
    var stalled = 0

    for round in 0..<rounds {
      var failures = [Int](repeating: 0, count: items.count)
      // blocks[i][g]: how often an instance of spec g blocked a candidate of instance i.
      var blocks = [[Int: Int]](repeating: [:], count: items.count)
      for _ in 0..<attempts {
        var placed: [Int] = []
        var failed: Int?
        for i in order {
          var found = false
          // When a named group keeps failing, its first instance starts in a random corner of
          // its cell, which leaves room for the rest (packing from the middle rarely fits).
          let seedCorner =
            round >= 4 && items[i].position != nil && groupSizes[i] > 1
            && !placed.contains { items[$0].spec == items[i].spec }
          for _ in 0..<candidates {
            let cell = items[i].position ?? Position.allCases[rng.int(Position.allCases.count)]
            let corner = seedCorner ? rng.int(4) : nil
            let c = sample(
              in: cell, reach: radii[i] * items[i].bound, size: size, corner: corner, rng: &rng)
            let blocker = placed.first { j in
              let d = c - centres[j]
              let need = radii[i] * items[i].bound + radii[j] * items[j].bound + gap
              return (d * d).sum() < need * need
            }
            if let blocker {
              blocks[i][items[blocker].spec, default: 0] += 1
            } else {
              centres[i] = c
              cells[i] = cell
              placed.append(i)
              found = true
              break
            }
          }
          if !found {
            failed = i
            break
          }
        }
        guard let failed else {
          return items.indices.map {
            Placed(centre: centres[$0], radius: radii[$0], region: cells[$0])
          }
        }
        failures[failed] += 1
      }
      // Shrink the spec group of every instance that failed often (at least a quarter as often
      // as the worst). Another group shrinks with it only if it did a fair share of the
      // blocking and is at least as large, so two large objects in neighbouring cells shrink
      // alike while a small object is not punished for a crowded group next to it. Groups
      // stay uniform.
      let most = failures.max() ?? 0
      var groups: Set<Int> = []
      for i in items.indices where failures[i] > 0 && 4 * failures[i] >= most {
        groups.insert(items[i].spec)
        let total = max(1, blocks[i].values.reduce(0, +))
        for (g, n) in blocks[i] where g != items[i].spec && 10 * n >= 3 * total {
          let gRadius = items.indices.filter { items[$0].spec == g }.map { radii[$0] }.max() ?? 0
          if gRadius >= radii[i] { groups.insert(g) }
        }
      }
      var shrunk = false
      for i in items.indices where groups.contains(items[i].spec) && radii[i] > floor {
        radii[i] = max(radii[i] * shrink, floor)
        shrunk = true
      }
      // Everything that fails is already at the floor: a few more rounds (with corner starts)
      // may still find a fit, but beyond that the cell is simply too crowded.
      stalled = shrunk ? 0 : stalled + 1
      if stalled >= 6 { break }
    }
    // Crowded beyond repair (three instances named into one 5-px cell of a 16-px image): keep
    // every centre in its cell, at the smallest radii, and overlap as little as possible by
    // taking, for each instance in turn, the candidate with the most clearance.
    var placed: [Int] = []
    for i in order {
      var best = SIMD2<Float>.zero
      var bestCell = Position.center
      var bestClearance = -Float.infinity
      for _ in 0..<(4 * candidates) {
        let cell = items[i].position ?? Position.allCases[rng.int(Position.allCases.count)]
        let c = sample(in: cell, reach: radii[i] * items[i].bound, size: size, rng: &rng)
        var clearance = Float.infinity
        for j in placed {
          let d = c - centres[j]
          let need = radii[i] * items[i].bound + radii[j] * items[j].bound + gap
          clearance = min(clearance, (d * d).sum().squareRoot() - need)
        }
        if clearance > bestClearance {
          (best, bestCell, bestClearance) = (c, cell, clearance)
        }
      }
      centres[i] = best
      cells[i] = bestCell
      placed.append(i)
    }
    return items.indices.map { Placed(centre: centres[$0], radius: radii[$0], region: cells[$0]) }
  }

  /// A uniform centre inside `cell` (inset) that keeps a shape of bounding radius `reach`
  /// inside the image; if both cannot hold, the cell wins.
  ///
  /// With `corner` (0...3), the centre is drawn from that corner's quarter of the allowed
  /// rectangle instead (bit 0 picks the right side, bit 1 the bottom).
  static func sample(
    in cell: Position, reach: Float, size: Int, corner: Int? = nil, rng: inout RNG
  ) -> SIMD2<Float> {
    let (lo, hi) = cell.bounds(size: size)
    let margin = (hi.x - lo.x) * inset
    let s = Float(size)
    var out = SIMD2<Float>.zero
    for axis in 0..<2 {
      var a = max(lo[axis] + margin, reach)
      var b = min(hi[axis] - margin, s - reach)
      if let corner, a <= b {
        let quarter = (b - a) / 4
        if (corner >> axis) & 1 == 1 { a = b - quarter } else { b = a + quarter }
      }
      if a <= b {
        out[axis] = rng.uniform(a, b)
      } else {
        out[axis] = min(max((a + b) / 2, lo[axis] + margin), hi[axis] - margin)
      }
    }
    return out
  }
}
