// libpng through its simplified png_image_* API only: the low-level API reports errors by
// longjmp, which Swift frames cannot survive.
#include <png.h>
