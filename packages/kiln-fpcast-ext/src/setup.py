from setuptools import Extension, setup

setup(ext_modules=[Extension("kiln_fpcast", ["kiln_fpcast.c"])])
