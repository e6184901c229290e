"""kiln.dist: what ships, assembled into dist/ from the loader sources next to
this folder and the earlier stages' outputs (`assemble`), and the npm package
made from dist/ (`npm_package`)."""
