import Foundation

/// The pretrained weights that ship inside the package, so training starts at once.
public enum ShippedWeights {
  /// The path of `<name>.safetensors` among the package resources, if it ships.
  public static func path(_ name: String) -> String? {
    guard let url = Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Weights") else { return nil }
    return url.path
  }
}
