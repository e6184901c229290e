#include "kiln_demo.h"

/* State in the library's own data segment, to show it is really loaded once. */
static int factor = 7;

int kiln_demo_scale(int value) { return value * factor; }

const char *kiln_demo_name(void) { return "libkilndemo"; }
