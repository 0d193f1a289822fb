// OpenBLAS's CBLAS interface (Debian installs cblas.h through the alternatives system) and
// its thread-count controls.
#include <cblas.h>
