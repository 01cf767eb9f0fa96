# ctest driver: install the Python component into a scratch prefix (under DESTDIR, so that an absolute
# HDNNP_PYTHON_INSTALL_DIR lands in the scratch directory too), then import hdnnp from there alone and
# evaluate a reference model. Inputs: BUILD_DIR, WORK_DIR, PYTHON, SITE_DIR, MODEL_DIR; PYTHON_ENV (optional: NAME=VALUE
# settings for the interpreter only, separated by '|', e.g. a sanitized build's LD_PRELOAD).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -E env DESTDIR=${WORK_DIR}/root
                        ${CMAKE_COMMAND} --install ${BUILD_DIR} --component python --prefix /prefix
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing the python component failed:\n${out}\n${err}")
endif()
if(IS_ABSOLUTE "${SITE_DIR}")
  set(site ${WORK_DIR}/root${SITE_DIR})
else()
  set(site ${WORK_DIR}/root/prefix/${SITE_DIR})
endif()
foreach(f __init__.py calculator.py io.py)
  if(NOT EXISTS ${site}/hdnnp/${f})
    message(FATAL_ERROR "${site}/hdnnp/${f} was not installed")
  endif()
endforeach()
string(REPLACE "|" ";" python_env "${PYTHON_ENV}")
# -I: isolated mode (no PYTHONPATH, no user site-packages, not the current directory): only the install.
execute_process(COMMAND ${CMAKE_COMMAND} -E env ${python_env} ${PYTHON} -I -c
  "import sys; sys.path.insert(0, '${site}'); import hdnnp, hdnnp.calculator, hdnnp.io; from ase.io import read; \
assert hdnnp.__file__.startswith('${site}'), hdnnp.__file__; \
atoms = hdnnp.io.read_input_data('${MODEL_DIR}/input.data')[0]; atoms.calc = hdnnp.calculator.HDNNP('${MODEL_DIR}'); \
print('installed hdnnp', hdnnp.__version__, 'energy %.10f' % atoms.get_potential_energy())"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "importing the installed package failed:\n${out}\n${err}")
endif()
if(NOT out MATCHES "energy -27564\\.5473478159")
  message(FATAL_ERROR "the installed package gives the wrong energy: ${out}")
endif()
