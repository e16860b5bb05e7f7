# The Python tests' venv (scripts/install-deps.sh makes it) as every test
# directory finds it (python/tests and those outside python/):
# FAMQP_PYTHON_CACHE (a cache variable) and FAMQP_SDK_PYTHON, its interpreter.
if(DEFINED ENV{FAMQP_PY_CACHE})
    set(famqp_py_cache_default "$ENV{FAMQP_PY_CACHE}")
elseif(DEFINED ENV{XDG_CACHE_HOME})
    set(famqp_py_cache_default "$ENV{XDG_CACHE_HOME}/flatamqp/python")
else()
    set(famqp_py_cache_default "$ENV{HOME}/.cache/flatamqp/python")
endif()
set(FAMQP_PYTHON_CACHE "${famqp_py_cache_default}" CACHE PATH
    "Where scripts/install-deps.sh keeps the Python tests' venv and build wheels")
set(FAMQP_SDK_PYTHON "${FAMQP_PYTHON_CACHE}/venv/bin/python")
if(EXISTS "${FAMQP_SDK_PYTHON}")
    set(FAMQP_SDK_PYTHON_FOUND ON)
else()
    set(FAMQP_SDK_PYTHON_FOUND OFF)
endif()
