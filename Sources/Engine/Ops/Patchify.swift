extension Graph {
  /// Cuts images into non-overlapping p×p patches, one token per patch.
  ///
  /// images (B, Ch, H, W) → tokens (B, T, Ch·p·p) with T = (H/p)·(W/p) in raster order
  /// (patch row major, then patch column), and each token's features ordered (ch, py, px):
  /// exactly the flattening of a PyTorch Conv2d(kernel = stride = p) weight [out, ch, p, p],
  /// so a patch-embedding Linear here equals that convolution there.
  public func patchify(_ images: Tensor, channels Ch: Int, patch p: Int) -> Tensor {
    let B = images.shape[0], H = images.shape[-2], W = images.shape[-1]
    precondition(images.count == B * Ch * H * W && H % p == 0 && W % p == 0, "patchify: \(images.shape) with patch \(p)")
    let T = (H / p) * (W / p), F = Ch * p * p
    let y = output(Shape(B, T, F), grad: images.requiresGrad)
    permutePatches(images.data, y.data, B: B, Ch: Ch, H: H, W: W, p: p, toTokens: true, accumulate: false)
    if y.requiresGrad { record(.patchify(images: images, channels: Ch, patch: p, tokens: y)) }
    return y
  }

  func patchifyBackward(images: Tensor, channels: Int, patch: Int, tokens: Tensor) {
    guard let dt = tokens.grad, let di = images.grad else { return }
    let B = images.shape[0], H = images.shape[-2], W = images.shape[-1]
    permutePatches(di, dt, B: B, Ch: channels, H: H, W: W, p: patch, toTokens: false, accumulate: true)
  }

  /// The inverse of `patchify`: tokens (B, T, Ch·p·p) → images (B, Ch, H, W).
  public func unpatchify(_ tokens: Tensor, channels Ch: Int, patch p: Int, height H: Int, width W: Int) -> Tensor {
    let B = tokens.shape[0]
    precondition(tokens.count == B * Ch * H * W, "unpatchify: \(tokens.shape) to \(Ch)×\(H)×\(W)")
    let y = output(Shape(B, Ch, H, W), grad: tokens.requiresGrad)
    permutePatches(y.data, tokens.data, B: B, Ch: Ch, H: H, W: W, p: p, toTokens: false, accumulate: false)
    if y.requiresGrad { record(.unpatchify(tokens: tokens, channels: Ch, patch: p, images: y)) }
    return y
  }

  func unpatchifyBackward(tokens: Tensor, channels: Int, patch: Int, images: Tensor) {
    guard let di = images.grad, let dt = tokens.grad else { return }
    let B = tokens.shape[0], H = images.shape[-2], W = images.shape[-1]
    permutePatches(di, dt, B: B, Ch: channels, H: H, W: W, p: patch, toTokens: true, accumulate: true)
  }
}

/// Moves values between image layout (B, Ch, H, W) and token layout (B, T, Ch·p·p), in the
/// direction `toTokens` (image → tokens) or back, overwriting or accumulating.
func permutePatches(
  _ image: UnsafeMutablePointer<Float>, _ tokens: UnsafeMutablePointer<Float>,
  B: Int, Ch: Int, H: Int, W: Int, p: Int, toTokens: Bool, accumulate: Bool
) {
  let gw = W / p, T = (H / p) * gw, F = Ch * p * p
  for b in 0..<B {
    for t in 0..<T {
      let py0 = (t / gw) * p, px0 = (t % gw) * p
      let tok = tokens + (b * T + t) * F
      for c in 0..<Ch {
        for dy in 0..<p {
          let img = image + ((b * Ch + c) * H + py0 + dy) * W + px0
          let f = tok + (c * p + dy) * p
          for dx in 0..<p {
            if toTokens {
              if accumulate { f[dx] += img[dx] } else { f[dx] = img[dx] }
            } else {
              if accumulate { img[dx] += f[dx] } else { img[dx] = f[dx] }
            }
          }
        }
      }
    }
  }
}
