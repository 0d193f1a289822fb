import Engine

/// LoRA settings for the layers that take an adapter: rank r and alpha (scale = alpha / r).
public struct LoRAConfig: Codable, Sendable, Equatable {
  public var rank: Int
  public var alpha: Float
  public init(rank: Int, alpha: Float) {
    self.rank = rank
    self.alpha = alpha
  }
}

/// A linear layer's parameters in a store, named as PyTorch's nn.Linear (`<name>.weight`
/// [out, in], `<name>.bias` [out]) and PEFT's LoRA (`<name>.lora_A.weight` [r, in],
/// `<name>.lora_B.weight` [out, r]).
public struct LinearLayer {
  public let store: ParameterStore
  public let weight: Param
  public let bias: Param?
  public let loraA: Param?
  public let loraB: Param?
  public let loraScale: Float

  /// Declares the layer's parameters. `zeroInit` zeroes weight and bias (adaLN-Zero and
  /// final layers start as no-ops). LoRA's B starts at zero, so an adapter starts as a no-op.
  public init(_ store: ParameterStore, _ name: String, in fanIn: Int, out fanOut: Int, bias: Bool = true,
              zeroInit: Bool = false, lora: LoRAConfig? = nil) {
    self.store = store
    weight = store.declare("\(name).weight", Shape(fanOut, fanIn), init: zeroInit ? .zeros : .xavierUniform)
    self.bias = bias ? store.declare("\(name).bias", Shape(fanOut), init: .zeros) : nil
    if let lora {
      loraA = store.declare("\(name).lora_A.weight", Shape(lora.rank, fanIn), init: .linearDefault)
      loraB = store.declare("\(name).lora_B.weight", Shape(fanOut, lora.rank), init: .zeros)
      loraScale = lora.alpha / Float(lora.rank)
    } else {
      loraA = nil
      loraB = nil
      loraScale = 0
    }
  }

  /// y = x·Wᵀ + b (+ the adapter when the graph has LoRA enabled).
  public func callAsFunction(_ g: Graph, _ x: Tensor) -> Tensor {
    var adapter: LoRA? = nil
    if let loraA, let loraB { adapter = LoRA(a: store[loraA], b: store[loraB], scale: loraScale) }
    return g.linear(x, store[weight], bias.map { store[$0] }, lora: adapter)
  }
}

/// Marks only the LoRA adapters of a store as trainable (the base weights become frozen).
public func trainOnlyLoRA(_ store: ParameterStore) {
  store.setTrainable(false) { _ in true }
  store.setTrainable(true) { $0.contains(".lora_") }
}
