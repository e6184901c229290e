import os

from setuptools import Extension, setup

# kiln's recipe builder puts the headers and the .so of build dependencies in $KILN_LIBS.
libs = os.environ["KILN_LIBS"]
setup(
    ext_modules=[
        Extension(
            "kiln_demo_ext",
            ["kiln_demo_ext.c"],
            include_dirs=[os.path.join(libs, "include")],
            library_dirs=[os.path.join(libs, "lib")],
            libraries=["kilndemo"],
        )
    ]
)
