"""Build one recipe with pyodide-build. Run as a script, one process per
package (pyodide-build redirects the process's output to its log and keeps
module-level caches).

Usage: python pyodide_driver.py RECIPE_DIR BUILD_DIR

Kiln has already fetched, verified, unpacked and patched the source into
BUILD_DIR/<name>-<version>, so pyodide-build continues from there instead of
downloading it again.
"""

import sys
from pathlib import Path

from pyodide_build.build_env import BuildArgs
from pyodide_build.recipe.builder import RecipeBuilder
from pyodide_build.recipe.graph_builder import set_default_build_args


def main(recipe_dir: Path, build_dir: Path) -> None:
    args = set_default_build_args(BuildArgs())
    builder = RecipeBuilder.get_builder(recipe_dir, args, build_dir, force_rebuild=True, continue_=True)
    builder.build()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
