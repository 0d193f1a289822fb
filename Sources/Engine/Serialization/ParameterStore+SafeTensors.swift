extension ParameterStore {
  /// The store's parameters as a safetensors file (names and shapes as declared), optionally
  /// only those whose name passes `include`.
  public func safeTensors(metadata: [String: String] = [:], include: (String) -> Bool = { _ in true }) -> SafeTensorsFile {
    var file = SafeTensorsFile(metadata: metadata)
    for e in entries where include(e.name) {
      let values = Array(UnsafeBufferPointer(start: self.values + e.offset, count: e.shape.count))
      file.tensors.append(SafeTensor(name: e.name, shape: e.shape.dims, values: values))
    }
    return file
  }

  /// Loads every parameter from `file`, checking names and shapes first so that a file of
  /// another architecture changes nothing. `path` names the file in errors. With
  /// `allowMissing`, parameters absent from the file keep their values (e.g. fresh LoRA
  /// adapters on pretrained weights); tensors the store does not declare are always an error,
  /// since they mean the file belongs to a different model.
  public func load(_ file: SafeTensorsFile, path: String, allowMissing: Bool = false) throws {
    precondition(isAllocated, "load before allocate()")
    var plan: [(Entry, SafeTensor)] = []
    let known = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
    for t in file.tensors {
      guard let e = known[t.name] else {
        let near = entries.map(\.name).min { editDistance($0, t.name) < editDistance($1, t.name) } ?? "-"
        throw SafeTensorsError("\(path): tensor '\(t.name)' is not a parameter of this model (nearest: '\(near)')")
      }
      guard t.shape == e.shape.dims else {
        throw SafeTensorsError("\(path): tensor '\(t.name)' has shape \(t.shape), the model expects \(e.shape.dims)")
      }
      plan.append((e, t))
    }
    if !allowMissing {
      let present = Set(file.tensors.map(\.name))
      if let missing = entries.first(where: { !present.contains($0.name) }) {
        throw SafeTensorsError("\(path): missing tensor '\(missing.name)' \(missing.shape.dims)")
      }
    }
    for (e, t) in plan {
      t.values.withUnsafeBufferPointer { buf in
        if let base = buf.baseAddress { (values + e.offset).update(from: base, count: e.shape.count) }
      }
    }
  }

  /// Reads a safetensors file from disk into the store (see `load(_:path:allowMissing:)`).
  public func load(path: String, allowMissing: Bool = false) throws {
    try load(SafeTensorsFile.read(path: path), path: path, allowMissing: allowMissing)
  }
}

/// Levenshtein distance, for "did you mean" hints in error messages.
public func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a.utf8), y = Array(b.utf8)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
  for i in 1...x.count {
    cur[0] = i
    for j in 1...y.count {
      cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
    }
    swap(&prev, &cur)
  }
  return prev[y.count]
}
