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
    try open(try SafeTensorsFile.read(path: path), path: path, expecting: model, config: config)
  }

  /// Decodes the config in the metadata of `file`, already read from `path`.
  static func open<C: Decodable>(_ file: SafeTensorsFile, path: String, expecting model: String, config: C.Type) throws -> (SafeTensorsFile, C) {
    guard file.metadata["model"] == model else {
      throw ConfigError("\(path): holds a '\(file.metadata["model"] ?? "unknown")' model, expected '\(model)'")
    }
    guard let json = file.metadata["config"], let cfg = try? JSONDecoder().decode(C.self, from: Data(json.utf8)) else {
      throw ConfigError("\(path): metadata has no readable '\(model)' config")
    }
    return (file, cfg)
  }

  /// Builds the model `make` declares from `path`'s config and fills it with the file's tensors;
  /// `frozen` drops its gradients (forward passes then allocate none).
  static func load<C: Decodable, M>(_ path: String, expecting model: String, config: C.Type, frozen: Bool,
                                    check: (C) throws -> Void = { _ in }, _ make: (C, ParameterStore) -> M) throws -> M {
    let (file, cfg) = try open(path, expecting: model, config: config)
    try check(cfg)
    let store = ParameterStore()
    let built = make(cfg, store)
    store.allocate(seed: 0)
    try store.load(file, path: path)
    if frozen { store.setTrainable(false) { _ in true } }
    return built
  }

  /// The generator in `path` (or the shipped one), optionally with fresh LoRA adapters.
  public static func generator(path: String?, lora: LoRAConfig? = nil, seed: UInt64 = 0) throws -> Generator {
    let p = try resolve("generator", path: path)
    return try generator(file: try SafeTensorsFile.read(path: p), path: p, lora: lora, seed: seed)
  }

  /// The generator in `file`, already read from `path` (see `generator(path:lora:seed:)`).
  public static func generator(file: SafeTensorsFile, path: String, lora: LoRAConfig? = nil, seed: UInt64 = 0) throws -> Generator {
    try velocityModel(file, path: path, expecting: "generator", lora: lora, seed: seed)
  }

  /// A generator-architecture model (`generator` or `editor`) from `file`, with fresh LoRA
  /// adapters when `lora` is given (the only tensors the file may lack).
  static func velocityModel(_ file: SafeTensorsFile, path: String, expecting model: String, lora: LoRAConfig?, seed: UInt64) throws -> Generator {
    var (file, cfg) = try open(file, path: path, expecting: model, config: GeneratorConfig.self)
    guard cfg.hasContent == (model == "editor") else { throw ConfigError("\(path): a '\(model)' file whose config says otherwise") }
    if let lora { cfg.lora = lora }
    let store = ParameterStore()
    let g = Generator(cfg, store: store)
    store.allocate(seed: seed)
    try store.load(file, path: path, allowMissing: lora != nil)
    return g
  }

  /// The editor in `path` (or the shipped one): the generator's architecture with content
  /// tokens, optionally with fresh LoRA adapters.
  public static func editor(path: String?, lora: LoRAConfig? = nil, seed: UInt64 = 0) throws -> Generator {
    let p = try resolve("editor", path: path)
    return try velocityModel(try SafeTensorsFile.read(path: p), path: p, expecting: "editor", lora: lora, seed: seed)
  }

  /// The frozen self-supervised ViT backbone in `path` (or the shipped one).
  public static func backbone(path: String?) throws -> ViT {
    try load(try resolve("backbone", path: path), expecting: "backbone", config: ViTConfig.self, frozen: true) { ViT($0, store: $1) }
  }

  /// The pairwise preference head in `path` (or the shipped one); it reads backbone features.
  public static func preference(path: String?) throws -> PreferenceHead {
    try load(try resolve("preference", path: path), expecting: "preference", config: PreferenceHeadConfig.self, frozen: false) {
      PreferenceHead($0, store: $1)
    }
  }

  /// StyleScore in `path` (or the shipped one), frozen; it reads backbone features.
  public static func styleScore(path: String?) throws -> StyleScore {
    try load(try resolve("stylescore", path: path), expecting: "stylescore", config: StyleScoreConfig.self, frozen: true) {
      StyleScore($0, store: $1)
    }
  }

  /// The attribute judge in `path` (frozen); its heads must be the world's (JudgeLabels.swift).
  public static func judge(path: String) throws -> AttributeJudge {
    try load(path, expecting: "judge", config: AttributeJudgeConfig.self, frozen: true, check: { cfg in
      guard cfg.matchesWorld else {
        throw ConfigError("\(path): judge heads \(cfg.heads.map(\.name)) are not the world's \(JudgedAttribute.allCases.map(\.rawValue))")
      }
    }) { AttributeJudge($0, store: $1) }
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
    try load(try resolve("quality", path: path), expecting: "quality", config: QualityRegressorConfig.self, frozen: true) {
      QualityRegressor($0, store: $1)
    }
  }
}
