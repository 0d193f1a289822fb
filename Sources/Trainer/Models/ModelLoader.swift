import Engine
import Foundation
import Models

/// Loads pretrained models from safetensors files whose metadata carries their config.
public enum ModelLoader {
  /// The file to use for `model`: an explicit path, or the shipped weights.
  public static func resolve(_ model: String, path: String?) throws -> String {
    if let path { return path }
    guard let shipped = ShippedWeights.path(model) else {
      throw ConfigError("no shipped weights for '\(model)'; run `grpotop pretrain \(model)` and pass its file")
    }
    return shipped
  }

  /// Reads a weights file and decodes the config stored in its metadata.
  static func open<C: Decodable>(_ path: String, expecting model: String, config: C.Type) throws -> (SafeTensorsFile, C) {
    let file = try SafeTensorsFile.read(path: path)
    guard file.metadata["model"] == model else {
      throw ConfigError("\(path): holds a '\(file.metadata["model"] ?? "unknown")' model, expected '\(model)'")
    }
    guard let json = file.metadata["config"], let cfg = try? JSONDecoder().decode(C.self, from: Data(json.utf8)) else {
      throw ConfigError("\(path): metadata has no readable '\(model)' config")
    }
    return (file, cfg)
  }

  /// The generator in `path` (or the shipped one), optionally with fresh LoRA adapters.
  public static func generator(path: String?, lora: LoRAConfig? = nil, seed: UInt64 = 0) throws -> Generator {
    let p = try resolve("generator", path: path)
    var (file, cfg) = try open(p, expecting: "generator", config: GeneratorConfig.self)
    if let lora { cfg.lora = lora }
    let store = ParameterStore()
    let g = Generator(cfg, store: store)
    store.allocate(seed: seed)
    try store.load(file, path: p, allowMissing: lora != nil)
    return g
  }

  /// The frozen self-supervised ViT backbone in `path` (or the shipped one).
  public static func backbone(path: String?) throws -> ViT {
    let p = try resolve("backbone", path: path)
    let (file, cfg) = try open(p, expecting: "backbone", config: ViTConfig.self)
    let store = ParameterStore()
    let vit = ViT(cfg, store: store)
    store.allocate(seed: 0)
    try store.load(file, path: p)
    store.setTrainable(false) { _ in true }  // frozen: forward passes allocate no gradients
    return vit
  }

  /// The pairwise preference head in `path` (or the shipped one); it reads backbone features.
  public static func preference(path: String?) throws -> PreferenceHead {
    let p = try resolve("preference", path: path)
    let (file, cfg) = try open(p, expecting: "preference", config: PreferenceHeadConfig.self)
    let store = ParameterStore()
    let head = PreferenceHead(cfg, store: store)
    store.allocate(seed: 0)
    try store.load(file, path: p)
    return head
  }

  /// The attribute judge in `path` (frozen); its heads must be the world's (JudgeLabels.swift).
  public static func judge(path: String) throws -> AttributeJudge {
    let (file, cfg) = try open(path, expecting: "judge", config: AttributeJudgeConfig.self)
    guard cfg.matchesWorld else {
      throw ConfigError("\(path): judge heads \(cfg.heads.map(\.name)) are not the world's \(JudgedAttribute.allCases.map(\.rawValue))")
    }
    let store = ParameterStore()
    let judge = AttributeJudge(cfg, store: store)
    store.allocate(seed: 0)
    try store.load(file, path: path)
    store.setTrainable(false) { _ in true }  // frozen: forward passes allocate no gradients
    return judge
  }

  /// The shipped judge called `name` ("judge-a" may be a reward, "judge-b" only evaluates).
  public static func judge(named name: String) throws -> AttributeJudge {
    guard let p = ShippedWeights.path(name) else {
      throw ConfigError("no shipped weights for '\(name)'; run `grpotop pretrain judge --set name=\(name)` and pass its file")
    }
    return try judge(path: p)
  }

  /// The quality (degradation) regressor in `path` (or the shipped one), frozen.
  public static func quality(path: String?) throws -> QualityRegressor {
    let p = try resolve("quality", path: path)
    let (file, cfg) = try open(p, expecting: "quality", config: QualityRegressorConfig.self)
    let store = ParameterStore()
    let model = QualityRegressor(cfg, store: store)
    store.allocate(seed: 0)
    try store.load(file, path: p)
    store.setTrainable(false) { _ in true }
    return model
  }
}
