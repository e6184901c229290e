/* A tiny shared library: Kiln's test fixture for shared-library packages. */
int kiln_demo_scale(int value);
const char *kiln_demo_name(void);
