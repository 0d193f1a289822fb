import Engine
import Foundation
import GRPO
import Models

/// A run's training state in one safetensors file: the generator's trainable tensors
/// (the LoRA adapters), AdamW's moments for them, the discriminator head and its moments,
/// and the counters. Random state needs no saving: every draw of iteration i comes from
/// streams of (seed, i), so the iteration number is enough to continue exactly.
public enum Checkpoint {
  /// The `format` metadata of a training checkpoint (pretrained weights say "grpotop-1").
  public static let format = "grpotop-checkpoint-1"

  /// Writes checkpoints/step-NNNNNN.safetensors atomically and points `latest` at it.
  @discardableResult
  public static func save(loop: GRPOLoop, directory: String) throws -> String {
    let store = loop.models.generator.store
    var file = SafeTensorsFile(metadata: [
      "format": Checkpoint.format, "iteration": String(loop.iteration),
      "optimizer_step": String(loop.optimizer.step), "discriminator_updates": String(loop.discriminatorUpdates),
    ])
    let trainable = Set(store.entries.filter(\.trainable).map(\.name))
    file.tensors += store.safeTensors { trainable.contains($0) }.tensors
    let state = loop.optimizer.state()
    for e in store.entries where e.trainable {
      file.tensors.append(SafeTensor(name: "optimizer.m.\(e.name)", shape: e.shape.dims, values: Array(state.m[e.offset..<(e.offset + e.shape.count)])))
      file.tensors.append(SafeTensor(name: "optimizer.v.\(e.name)", shape: e.shape.dims, values: Array(state.v[e.offset..<(e.offset + e.shape.count)])))
    }
    if let d = loop.adversarial?.discriminator {
      for t in d.store.safeTensors().tensors { file.tensors.append(SafeTensor(name: "discriminator.\(t.name)", shape: t.shape, values: t.values)) }
      let ds = d.optimizer.state()
      file.tensors.append(SafeTensor(name: "discriminator.optimizer.m", shape: [ds.m.count], values: ds.m))
      file.tensors.append(SafeTensor(name: "discriminator.optimizer.v", shape: [ds.v.count], values: ds.v))
      file.metadata["discriminator_step"] = String(ds.step)
    }
    let name = String(format: "step-%06ld.safetensors", loop.iteration)
    let path = "\(directory)/\(name)"
    try file.write(to: path, dtype: .f32)
    try AtomicFile.write(Data((name + "\n").utf8), to: "\(directory)/latest")
    return path
  }

  /// The newest checkpoint of a run directory, from its `latest` pointer.
  public static func latest(in directory: String) throws -> String {
    let pointer = "\(directory)/latest"
    guard let text = try? String(contentsOfFile: pointer, encoding: .utf8) else {
      throw ConfigError("\(directory): no checkpoint (no 'latest' file)")
    }
    return "\(directory)/\(text.trimmingCharacters(in: .whitespacesAndNewlines))"
  }

  /// Restores a loop's state from a checkpoint written by `save`.
  public static func restore(_ loop: GRPOLoop, from path: String) throws {
    let file = try SafeTensorsFile.read(path: path)
    guard file.metadata["format"] == Checkpoint.format,
          let iteration = file.metadata["iteration"].flatMap(Int.init),
          let step = file.metadata["optimizer_step"].flatMap(Int.init) else {
      throw ConfigError("\(path): not a grpotop training checkpoint")
    }
    let store = loop.models.generator.store
    let weights = SafeTensorsFile(tensors: file.tensors.filter { !$0.name.hasPrefix("optimizer.") && !$0.name.hasPrefix("discriminator.") })
    try store.load(weights, path: path, allowMissing: true)
    var m = [Float](repeating: 0, count: store.count), v = m
    for e in store.entries where e.trainable {
      guard let tm = file["optimizer.m.\(e.name)"], let tv = file["optimizer.v.\(e.name)"], tm.values.count == e.shape.count else {
        throw ConfigError("\(path): optimizer state for '\(e.name)' is missing or has the wrong size")
      }
      for i in 0..<e.shape.count {
        m[e.offset + i] = tm.values[i]
        v[e.offset + i] = tv.values[i]
      }
    }
    loop.optimizer.restore(m: m, v: v, step: step)
    if let d = loop.adversarial?.discriminator {
      let head = SafeTensorsFile(tensors: file.tensors.filter { $0.name.hasPrefix("discriminator.disc.") }.map {
        SafeTensor(name: String($0.name.dropFirst("discriminator.".count)), shape: $0.shape, values: $0.values)
      })
      try d.store.load(head, path: path)
      if let dm = file["discriminator.optimizer.m"], let dv = file["discriminator.optimizer.v"],
         let dstep = file.metadata["discriminator_step"].flatMap(Int.init) {
        d.optimizer.restore(m: dm.values, v: dv.values, step: dstep)
      }
    }
    loop.iteration = iteration
    loop.discriminatorUpdates = file.metadata["discriminator_updates"].flatMap(Int.init) ?? 0
  }

  /// The post-trained generator of a GRPO run, for `eval` and `sample`: a run directory's
  /// latest checkpoint. A checkpoint holds only the LoRA adapters, so the base weights and the
  /// adapters' rank come from the run's config.yaml, as when the run resumes.
  public static func generator(run directory: String) throws -> Generator {
    let path = try latest(in: "\(directory)/checkpoints")
    return try generator(checkpoint: try SafeTensorsFile.read(path: path), path: path)
  }

  /// The generator of checkpoint `file`, read from `path` (`<run>/checkpoints/step-N.safetensors`).
  static func generator(checkpoint file: SafeTensorsFile, path: String) throws -> Generator {
    guard file.metadata["format"] == Checkpoint.format else { throw ConfigError("\(path): not a grpotop training checkpoint") }
    let runDirectory = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    let config = try ConfigLoader.load(TrainConfig.self, path: "\(runDirectory)/config.yaml")
    // A Style-GRPO run trains the editor: its adapters go on the editor's base weights.
    let generator = config.algorithm == .styleGRPO
      ? try ModelLoader.editor(path: config.weights.editor.isEmpty ? nil : config.weights.editor, lora: config.lora, seed: config.seed)
      : try ModelLoader.generator(path: config.weights.generator.isEmpty ? nil : config.weights.generator, lora: config.lora, seed: config.seed)
    let store = generator.store
    let adapters = file.tensors.filter { $0.name.contains(".lora_") && !$0.name.hasPrefix("optimizer.") }
    let expected = store.entries.filter { $0.name.contains(".lora_") }.count
    guard adapters.count == expected else {
      throw ConfigError("\(path): holds \(adapters.count) LoRA tensors, the run's config declares \(expected)")
    }
    try store.load(SafeTensorsFile(tensors: adapters), path: path, allowMissing: true)
    store.setTrainable(false) { _ in true }
    return generator
  }

  /// A generator for `eval` and `sample`: the shipped one (nil), a pretrained generator (or
  /// editor) file, or a GRPO run (a run directory or one of its checkpoints). A file is read once.
  public static func anyGenerator(path: String?) throws -> Generator {
    guard let path else { return try ModelLoader.generator(path: nil) }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue {
      return try generator(run: path)
    }
    let file = try SafeTensorsFile.read(path: path)
    if file.metadata["format"] == Checkpoint.format { return try generator(checkpoint: file, path: path) }
    return file.metadata["model"] == "editor" ? try ModelLoader.editor(path: path) : try ModelLoader.generator(file: file, path: path)
  }
}
