import Engine

/// The input stage shared by the heads that read `PreferenceHead.readout` features
/// [CLS | grid cells] (B, featureDim·(1 + cells)): a frozen standardisation (set once from
/// training features), then every cell projected by one Linear to `cellDim` (CLS kept as is).
///
/// The standardisation matters: the L2-normalised tokens share a large common direction and
/// images differ by a few hundredths in each coordinate, too little for a small MLP to pick
/// up in a few thousand steps. Tensor names: `head.cell_proj` (with a grid), then
/// `head.input_shift` and `head.input_scale`, declared in that order.
struct GridFeatureInput {
  let featureDim: Int
  let cells: Int
  let cellDim: Int
  let cellProj: LinearLayer?
  /// Per-dimension −mean and 1/std of the training features, or nil when not standardised.
  let inputShift: Param?, inputScale: Param?

  /// Declares the stage's tensors in `store`; `standardised` false leaves the features raw.
  init(_ store: ParameterStore, featureDim: Int, grid: Int, cellDim: Int, standardised: Bool) {
    self.featureDim = featureDim
    cells = grid * grid
    self.cellDim = cellDim
    cellProj = grid > 0 ? LinearLayer(store, "head.cell_proj", in: featureDim, out: cellDim) : nil
    let F = featureDim * (1 + grid * grid)
    inputShift = standardised ? store.declare("head.input_shift", Shape(F), init: .zeros, trainable: false) : nil
    inputScale = standardised ? store.declare("head.input_scale", Shape(F), init: .ones, trainable: false) : nil
  }

  /// Width of one image's raw feature.
  var featureWidth: Int { featureDim * (1 + cells) }

  /// Sets the frozen standardisation from training features (N, featureWidth): afterwards every
  /// dimension has mean 0 and standard deviation 1 over them. `name` labels the error.
  func standardise(_ store: ParameterStore, from features: [Float], count N: Int, name: String) {
    guard let inputShift, let inputScale, N > 0 else { return }
    let F = featureWidth
    precondition(features.count == N * F, "\(name).standardise: \(features.count) values for \(N)×\(F)")
    // The floor keeps a constant dimension (e.g. a cell a backbone never varies) finite, and
    // F16 storage of the shift then costs at most ~0.05 standard units.
    let statistics = ColumnStatistics(features, rows: N, columns: F, stdFloor: 1e-3)
    let shift = store[inputShift].data, scale = store[inputScale].data
    for d in 0..<F {
      shift[d] = -statistics.mean[d]
      scale[d] = statistics.inverseStd[d]
    }
  }

  /// One image's raw feature (B, featureWidth) → standardised, cells projected (B, featureDim + cells·cellDim).
  func project(_ g: Graph, _ store: ParameterStore, _ raw: Tensor) -> Tensor {
    let B = raw.shape[0], C = featureDim
    var f = raw
    if let inputShift, let inputScale { f = g.mul(g.add(raw, store[inputShift]), store[inputScale]) }
    guard let cellProj else { return f }
    let tokens = f.reshaped(B, 1 + cells, C)
    let cls = g.sliceTokens(tokens, start: 0, count: 1).reshaped(B, C)
    let grid = cellProj(g, g.sliceTokens(tokens, start: 1, count: cells)).reshaped(B, cells * cellDim)
    return g.concatColumns(cls, grid, rows: B)
  }
}
