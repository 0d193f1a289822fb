// Sample-sheet layout: sheet size, where each image lands, centring of smaller images.

import Imaging
import XCTest

final class ImageGridTests: XCTestCase {
  /// A w x h image of one colour with a marker colour at its pixel (0, 0).
  private func tile(_ k: Int, width: Int, height: Int) -> RGBImage {
    var image = RGBImage(width: width, height: height, fill: (0.5, 0.5, 0.5))
    image[0, 0] = SIMD3(Float(k + 1) / 10, 1, 0)
    return image
  }

  func testEqualSizesPlaceEachImageAtItsCell() {
    let images = (0..<5).map { tile($0, width: 4, height: 3) }
    let sheet = ImageGrid.compose(images, columns: 2, padding: 1)
    // 2 columns x 3 rows of 4x3 cells, with 1 pixel between and around them.
    XCTAssertEqual(sheet.width, 2 * 4 + 3)
    XCTAssertEqual(sheet.height, 3 * 3 + 4)
    for k in 0..<5 {
      let x = 1 + (k % 2) * 5
      let y = 1 + (k / 2) * 4
      XCTAssertEqual(sheet[x, y], SIMD3(Float(k + 1) / 10, 1, 0), "image \(k)")
      XCTAssertEqual(sheet[x + 3, y + 2], SIMD3(0.5, 0.5, 0.5), "image \(k) far corner")
    }
    let background = SIMD3<Float>(0.1, 0.1, 0.1)
    XCTAssertEqual(sheet[0, 0], background)
    XCTAssertEqual(sheet[5, 1], background, "gap between columns")
    XCTAssertEqual(sheet[6, 9], background, "the empty sixth cell")
  }

  func testSmallerImagesAreCentredInTheLargestCell() {
    let images = [tile(0, width: 6, height: 4), tile(1, width: 2, height: 2), tile(2, width: 3, height: 1)]
    let sheet = ImageGrid.compose(images, columns: 3, padding: 2, background: SIMD3(0, 0, 1))
    XCTAssertEqual(sheet.width, 3 * 6 + 4 * 2)
    XCTAssertEqual(sheet.height, 4 + 2 * 2)
    XCTAssertEqual(sheet[2, 2], SIMD3(0.1, 1, 0))
    // Cell 1 starts at x = 2 + 8 = 10; a 2x2 image sits 2 right and 1 down inside the 6x4 cell.
    XCTAssertEqual(sheet[12, 3], SIMD3(0.2, 1, 0))
    XCTAssertEqual(sheet[11, 3], SIMD3(0, 0, 1))
    // Cell 2 starts at x = 18; a 3x1 image sits 1 right (rounding down) and 1 down.
    XCTAssertEqual(sheet[19, 3], SIMD3(0.3, 1, 0))
    let layout = ImageGrid.layout(
      sizes: images.map { SIMD2($0.width, $0.height) }, columns: 3, padding: 2)
    XCTAssertEqual(layout.origins, [SIMD2(2, 2), SIMD2(12, 3), SIMD2(19, 3)])
  }

  func testFewerImagesThanColumnsAndEmptyInput() {
    let sheet = ImageGrid.compose([tile(0, width: 2, height: 2)], columns: 8, padding: 1)
    XCTAssertEqual(sheet.width, 4, "unused columns are not drawn")
    XCTAssertEqual(sheet.height, 4)
    let empty = ImageGrid.compose([], columns: 4, padding: 3)
    XCTAssertEqual(empty.width, 6)
    XCTAssertEqual(empty.height, 6)
    XCTAssertNoThrow(try PNG.encode(empty))
  }

  func testFixedCellSizeResizesEveryImage() {
    let images = [RGBImage(width: 8, height: 8, fill: (1, 0, 0)), RGBImage(width: 2, height: 2, fill: (0, 1, 0))]
    let sheet = ImageGrid.compose(images, columns: 2, cellWidth: 4, cellHeight: 4, padding: 0)
    XCTAssertEqual(sheet.width, 8)
    XCTAssertEqual(sheet.height, 4)
    XCTAssertEqual(sheet[3, 3], SIMD3(1, 0, 0))
    XCTAssertEqual(sheet[4, 0], SIMD3(0, 1, 0))
  }
}
