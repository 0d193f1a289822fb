import Engine
import Foundation

// StyleScore (ALGORITHMS.md §5, WORLD.md): Style-GRPO's learned reward. Given a content image,
// an instruction ("in <style> style") and an output, one scalar that is high when the output
// shows the asked style *and* keeps the content. It reads the frozen backbone's features of the
// content image and of the output, the CLS token beside patch tokens pooled on a grid (a moved
// or recoloured object changes the grid, seldom the CLS token), and the instruction's learned
// embedding, through Linear → SiLU → Linear. The MLP also sees x_output − x_content: content
// fidelity is a comparison, and handing the difference over spares the head learning it from
// a few thousand pairs. Trained with the Bradley–Terry loss −log σ(r_w − r_l) on StyleReward
// pairs; the score's offset is arbitrary (GRPO normalises it away).

/// StyleScore's shape.
public struct StyleScoreConfig: Codable, Sendable, Equatable {
  /// Width of the backbone's tokens.
  public var featureDim = 128
  /// Side of the grid of mean-pooled patch tokens read beside the CLS token (0 = CLS only).
  public var grid = 4
  /// Width each grid cell is projected to (one Linear shared by all cells and both images).
  public var cellDim = 16
  /// Number of instructions (the world's styles).
  public var styles = 6
  /// Width of the instruction embedding.
  public var embedDim = 16
  /// Hidden width of the MLP.
  public var hidden = 256

  public init(featureDim: Int = 128, grid: Int = 4, cellDim: Int = 16, styles: Int = 6, embedDim: Int = 16, hidden: Int = 256) {
    self.featureDim = featureDim
    self.grid = grid
    self.cellDim = cellDim
    self.styles = styles
    self.embedDim = embedDim
    self.hidden = hidden
  }

  /// Width of one image's stored feature: CLS then every grid cell, featureDim each.
  public var imageFeatureWidth: Int { featureDim * (1 + grid * grid) }
  /// Width of one image after the cell projection.
  public var projectedWidth: Int { featureDim + grid * grid * cellDim }
  /// Width of the MLP's input: content, output, their difference, the instruction.
  public var inputWidth: Int { 3 * projectedWidth + embedDim }
}

/// r(content, instruction, output) = fc2(SiLU(fc1([x_c, x_o, x_o − x_c, e(style)]))).
///
/// x = standardised [CLS | grid cells] of the L2-normalised backbone tokens, each cell projected
/// by `head.cell_proj`. Names: `instruction_embed.weight` [styles, E], `head.input_shift`,
/// `head.input_scale` [imageFeatureWidth], `head.cell_proj` [cellDim, featureDim] (with a grid),
/// `head.fc1` [hidden, inputWidth], `head.fc2` [1, hidden].
public struct StyleScore {
  public let config: StyleScoreConfig
  public let store: ParameterStore
  let table: Param
  /// Standardisation and cell projection, as the preference head's.
  let input: GridFeatureInput
  let fc1: LinearLayer
  let fc2: LinearLayer

  /// Declares the head's parameters in `store` (allocate it afterwards).
  public init(_ config: StyleScoreConfig, store: ParameterStore) {
    self.config = config
    self.store = store
    table = store.declare("instruction_embed.weight", Shape(config.styles, config.embedDim), init: .normal(std: 0.1))
    input = GridFeatureInput(store, featureDim: config.featureDim, grid: config.grid, cellDim: config.cellDim, standardised: true)
    fc1 = LinearLayer(store, "head.fc1", in: config.inputWidth, out: config.hidden)
    fc2 = LinearLayer(store, "head.fc2", in: config.hidden, out: 1)
  }

  /// Backbone features of images (B, 3, H, W) → (B, imageFeatureWidth), without a tape.
  public static func features(_ g: Graph, backbone: ViT, images: Tensor, grid: Int) -> [Float] {
    PreferenceHead.features(g, backbone: backbone, images: images, grid: grid).toArray()
  }

  /// Sets the frozen standardisation from training features (N, imageFeatureWidth).
  public func standardise(from features: [Float], count N: Int) {
    input.standardise(store, from: features, count: N, name: "StyleScore")
  }

  /// Scores: content and output features (B, imageFeatureWidth), style ids (B) as floats → (B).
  public func score(_ g: Graph, content: Tensor, output: Tensor, styles: Tensor) -> Tensor {
    let B = content.shape[0], F = config.imageFeatureWidth
    precondition(content.count == B * F && output.count == B * F && styles.count == B,
                 "StyleScore: features \(content.shape), \(output.shape), styles \(styles.shape); expected (B, \(F)), (B)")
    let xc = input.project(g, store, content), xo = input.project(g, store, output)
    let e = g.embedding(styles, table: store[table]).reshaped(B, config.embedDim)  // (B, E)
    var x = g.concatColumns(xc, xo, rows: B)
    x = g.concatColumns(x, g.sub(xo, xc), rows: B)
    x = g.concatColumns(x, e, rows: B)  // (B, inputWidth)
    return fc2(g, g.silu(fc1(g, x))).reshaped(B)
  }

  /// Bradley–Terry loss, mean over pairs of −log σ(r_w − r_l) (a binary cross-entropy on the
  /// margin with target 1): content (B, F), winner and loser outputs (B, F), styles (B).
  public func bradleyTerryLoss(_ g: Graph, content: Tensor, winner: Tensor, loser: Tensor, styles: Tensor) -> Tensor {
    let margin = g.sub(score(g, content: content, output: winner, styles: styles),
                       score(g, content: content, output: loser, styles: styles))
    return g.binaryCrossEntropy(margin, targets: g.filled(Shape(margin.count), 1))
  }

  /// Scores of many rows without a tape, in batches: flat features (N, F), style ids (N) → N.
  public func scores(content: [Float], output: [Float], styles: [Int], batchSize: Int = 256, graph g: Graph = Graph()) -> [Float] {
    let F = config.imageFeatureWidth, N = styles.count
    precondition(content.count == N * F && output.count == N * F, "StyleScore.scores: \(content.count), \(output.count) values for \(N)×\(F)")
    let recording = g.recording
    g.recording = false
    defer { g.recording = recording }
    var out: [Float] = []
    out.reserveCapacity(N)
    var start = 0
    while start < N {
      let n = min(batchSize, N - start)
      g.reset()
      let c = g.constant(Array(content[(start * F)..<((start + n) * F)]), Shape(n, F))
      let o = g.constant(Array(output[(start * F)..<((start + n) * F)]), Shape(n, F))
      let s = g.constant(styles[start..<(start + n)].map(Float.init), Shape(n))
      out += score(g, content: c, output: o, styles: s).toArray()
      start += n
    }
    g.reset()
    return out
  }
}
